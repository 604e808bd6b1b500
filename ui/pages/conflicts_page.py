"""Conflicts: the same record changed at two offices before either heard of the other.

Every office kept the winning value and stored the losing one; here a person looks at both side by
side and settles them. The resolution is an ordinary change, so it travels with the next packets.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fieldkit.changeset import ChangeSet
from fieldkit.context import Context
from fieldkit.errors import FieldKitError
from fieldkit.formatting import format_day, format_number, format_value, format_when
from fieldkit.i18n import _, ngettext
from fieldkit.services.conflicts import (
    ConflictRow,
    RecordConflicts,
    list_conflicts,
    record_conflicts,
    resolve,
)
from fieldkit.store.registry import field_label as declared_field_label
from fieldkit.store.registry import max_lengths, type_label
from ui.ops import Op, show_failure
from ui.table_model import Column, RowTableModel
from ui.widgets import EmptyState, error_label, fit_columns, heading, note, page_frame, row_table, show_error
from ui.workspace import Workspace

MAX_SHOWN = 200  # characters of a value in the list; the detail shows all of it


def record_type_label(record_type: str) -> str:
    return type_label(record_type)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_label(record_type: str, name: str) -> str:
    return declared_field_label(record_type, name)


def show_value(value: Any) -> str:
    """A stored JSON value as a person reads it."""
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return format_value(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):  # dates travel as ISO text
        return format_day(dt.date.fromisoformat(value))
    return str(value)


def _side(row: ConflictRow, value: Any) -> str:
    """A list cell: the value, or for edit/delete what that side did."""
    if row.kind == "edit-delete" and isinstance(value, dict):
        if value.get("op") == "delete":
            return _("Deleted")
        fields = ", ".join(field_label(row.record_type, name) for name in value.get("values", {}))
        return _("Edited: {fields}").format(fields=fields)
    text = show_value(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _full(row: ConflictRow, winner: int) -> str:
    value = row.winner_value if winner else row.loser_value
    return show_value(value) if row.kind == "field" else _side(row, value)


def _kind(row: ConflictRow) -> str:
    return _("Edited and deleted") if row.kind == "edit-delete" else _("Both edited")


def _isolated(text: str) -> str:
    """Keep a Latin name and a date from being reordered into each other in right-to-left text."""
    return "\u2068" + text + "\u2069"


def _who(by: str, at: dt.datetime) -> str:
    return _("{who}, {when}").format(who=_isolated(by), when=_isolated(format_when(at)))


def _by(by: str, at: dt.datetime) -> str:
    """The short form for the list: the day only; the time is in the tooltip."""
    return _("{who}, {when}").format(who=_isolated(by), when=_isolated(format_day(at.date())))


def _wrapped(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
    return label


class FieldChoice:
    """One conflicting field: keep the current value, take another, or type a new one."""

    def __init__(self, label: str, name: str, current: Any, others: list[Any], parent: QWidget) -> None:
        self.name, self.current, self.others = name, current, others
        self.group = QButtonGroup(parent)
        self.keep = QRadioButton(_("Keep current"), parent)
        self.take = [
            QRadioButton(
                _("Take other") if len(others) == 1 else _("Take value {number}").format(number=i + 1), parent
            )
            for i in range(len(others))
        ]
        self.new = QRadioButton(_("New value:"), parent)
        # the stored text itself: what is typed here is stored as typed
        self.edit = QLineEdit(current if isinstance(current, str) else "", parent)
        self.edit.setCursorPosition(0)  # show the start of a long value, not its end
        self.edit.setAccessibleName(_("New value for {field}").format(field=label))
        # only text takes a typed value; lists and numbers are picked from the two sides
        typable = current is None or isinstance(current, str)
        self.new.setEnabled(typable)
        self.edit.setEnabled(False)
        self.new.toggled.connect(self.edit.setEnabled)
        for button in (self.keep, *self.take, self.new):
            self.group.addButton(button)
        self.keep.setChecked(True)
        self.box = QWidget(parent)
        column = QVBoxLayout(self.box)
        column.setContentsMargins(0, 0, 0, 0)
        for button in (self.keep, *self.take):
            column.addWidget(button)
        new_row = QHBoxLayout()
        new_row.addWidget(self.new)
        new_row.addWidget(self.edit, 1)
        column.addLayout(new_row)

    def value(self) -> Any:
        for button, other in zip(self.take, self.others, strict=True):
            if button.isChecked():
                return other
        if self.new.isChecked():
            return self.edit.text()
        return self.current


class DeletionChoice:
    """An edit made to a record another office deleted: keep it deleted, or bring it back with the edit."""

    def __init__(self, deleted: bool, edit_values: dict[str, Any], parent: QWidget) -> None:
        self.edit_values = edit_values
        self.group = QButtonGroup(parent)
        self.delete = QRadioButton(_("Keep it deleted") if deleted else _("Delete it"), parent)
        self.restore = QRadioButton(
            _("Restore it with the edit's changes") if deleted else _("Keep it, with the edit's changes"),
            parent,
        )
        for button in (self.delete, self.restore):
            self.group.addButton(button)
        (self.delete if deleted else self.restore).setChecked(True)
        self.box = QWidget(parent)
        column = QVBoxLayout(self.box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.delete)
        column.addWidget(self.restore)


class ConflictDetail(QWidget):
    """One record's open conflicts side by side, with a choice per field."""

    def __init__(self, data: RecordConflicts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self.fields: list[FieldChoice] = []
        self.deletion: DeletionChoice | None = None
        grid = QGridLayout(self)
        for column, caption in enumerate(
            (_("Field"), _("Now in this office"), _("Other value"), _("Your choice"))
        ):
            grid.addWidget(heading(caption, self, scale=1.0), 0, column)
        by_field: dict[str, list[ConflictRow]] = {}
        for conflict in data.conflicts:
            by_field.setdefault(conflict.field, []).append(conflict)
        row = 1
        for name, conflicts in by_field.items():
            grid.addWidget(_wrapped(field_label(data.record_type, name), self), row, 0)
            if conflicts[0].kind == "edit-delete":
                self._add_deletion(grid, row, conflicts)
            else:
                self._add_field(grid, row, name, conflicts)
            row += 1
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 2)
        grid.setColumnStretch(3, 3)
        grid.setRowStretch(row, 1)

    def _add_field(self, grid: QGridLayout, row: int, name: str, conflicts: list[ConflictRow]) -> None:
        current = self.data.current.get(name)
        others: list[Any] = []
        texts: list[str] = []
        for c in conflicts:
            for value, by, at in (
                (c.winner_value, c.winner_by, c.winner_at),
                (c.loser_value, c.loser_by, c.loser_at),
            ):
                if value != current and value not in others:
                    others.append(value)
                    texts.append(_("{value}\n({who})").format(value=show_value(value), who=_who(by, at)))
        if len(texts) > 1:
            texts = [_("{number}. {text}").format(number=i + 1, text=t) for i, t in enumerate(texts)]
        choice = FieldChoice(field_label(self.data.record_type, name), name, current, others, self)
        if (limit := max_lengths(self.data.record_type).get(name)) is not None:
            choice.edit.setMaxLength(limit)
        grid.addWidget(_wrapped(show_value(current), self), row, 1)
        grid.addWidget(_wrapped("\n\n".join(texts), self), row, 2)
        grid.addWidget(choice.box, row, 3)
        self.fields.append(choice)

    def _add_deletion(self, grid: QGridLayout, row: int, conflicts: list[ConflictRow]) -> None:
        deleted = bool(self.data.current.get("deleted"))
        edits: dict[str, Any] = {}
        lines: list[str] = []
        sides = [(c.winner_value, c.winner_by, c.winner_at) for c in conflicts]
        sides += [(c.loser_value, c.loser_by, c.loser_at) for c in conflicts]
        for side, by, at in sorted(sides, key=lambda s: s[2]):
            if not isinstance(side, dict):
                continue
            if side.get("op") == "delete":
                lines.append(_("Deleted by {who}").format(who=_who(by, at)))
                continue
            values = dict(side.get("values", {}))
            edits.update(values)
            changes = "; ".join(
                _("{field}: {value}").format(field=field_label(self.data.record_type, k), value=show_value(v))
                for k, v in values.items()
            )
            lines.append(_("Edited by {who}: {changes}").format(who=_who(by, at), changes=changes))
        state = _("Deleted") if deleted else _("Not deleted")
        grid.addWidget(_wrapped(state, self), row, 1)
        grid.addWidget(_wrapped("\n".join(lines), self), row, 2)
        self.deletion = DeletionChoice(deleted, edits, self)
        grid.addWidget(self.deletion.box, row, 3)

    def choice(self) -> tuple[list[str], dict[str, Any], bool | None]:
        """(conflict ids, values, deleted) for ``resolve``."""
        values: dict[str, Any] = {}
        deleted: bool | None = None
        if self.deletion is not None:
            deleted = self.deletion.delete.isChecked()
            if not deleted:
                values.update(self.deletion.edit_values)
        for field in self.fields:  # a choice made per field wins over the edit's value
            values[field.name] = field.value()
        return [c.id for c in self.data.conflicts], values, deleted


class ConflictsPage(QWidget):
    data_changed = Signal(object)  # ChangeSet: a conflict was resolved
    count_changed = Signal(int)  # open conflicts, e.g. for the sidebar
    loaded = Signal()
    detail_loaded = Signal()
    message = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx: Context = workspace.ctx
        self._generation = 0
        self._detail_generation = 0
        self.detail: ConflictDetail | None = None
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(_("Number of open conflicts"))
        self.model: RowTableModel[ConflictRow] = RowTableModel(
            [
                Column(_("Type"), lambda r: record_type_label(r.record_type)),
                Column(_("Record"), lambda r: r.record_title, tooltip=lambda r: r.record_title),
                Column(_("Field"), lambda r: field_label(r.record_type, r.field)),
                Column(_("Kind"), _kind),
                Column(_("Current value"), lambda r: _side(r, r.winner_value), tooltip=lambda r: _full(r, 1)),
                Column(_("Set by"), lambda r: _by(r.winner_by, r.winner_at), sort_key=lambda r: r.winner_at,
                       tooltip=lambda r: _who(r.winner_by, r.winner_at)),
                Column(_("Other value"), lambda r: _side(r, r.loser_value), tooltip=lambda r: _full(r, 0)),
                Column(_("Set by"), lambda r: _by(r.loser_by, r.loser_at), sort_key=lambda r: r.loser_at,
                       tooltip=lambda r: _who(r.loser_by, r.loser_at)),
            ],
            display=format_value,
            parent=self,
        )  # fmt: skip
        self.table = row_table(self, _("Open conflicts"), self.model)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # newest first
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        # the record and both values share what is left, so that no column scrolls out of sight
        for column in (1, 4, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        by = metrics.horizontalAdvance(_by("a.ochieng", dt.datetime(2026, 12, 28))) + metrics.height()
        fit_columns(self.table, {0: 8, 2: 9, 3: 9, 5: 0, 7: 0}, extra={5: by, 7: by})
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._selected(current))

        self.empty = EmptyState(
            _("No open conflicts"),
            _("When two offices change the same record before either hears of the other, it shows here."),
            self,
        )
        self.empty.hide()  # until the first load says there is nothing
        self.detail_title = heading("", self, scale=1.15)
        self.detail_area = QScrollArea(self)
        self.detail_area.setWidgetResizable(True)
        self.error = error_label(self)
        self.resolve_button = QPushButton(_("&Resolve"), self)
        self.resolve_button.setEnabled(False)
        self.resolve_button.clicked.connect(self.resolve_current)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.detail_title)
        bottom_layout.addWidget(self.detail_area, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.error, 1)
        actions.addWidget(self.resolve_button, 0, Qt.AlignmentFlag.AlignTrailing)
        bottom_layout.addLayout(actions)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)  # a pane dragged shut looks like a missing feature
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(rows * 3)
        self.detail_area.setMinimumHeight(rows * 2)

        layout = page_frame(self, None)  # a tab of the Sync page, which carries the heading
        top = QHBoxLayout()
        top.addWidget(
            note(
                _(
                    "Each office kept the value that came last and saved the other one. Choose what the "
                    "record should hold; the choice reaches the other offices with the next packets."
                ),
                self,
            ),
            1,
        )
        top.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.splitter, 1)

    # -- the list -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def apply_changes(self, changes: ChangeSet) -> None:
        if changes.conflicts:
            self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        generation, ctx = self._generation, self._ctx
        Op(self, lambda _p: list_conflicts(ctx)).on_success(lambda rows: self._show(generation, rows)).run()

    def _show(self, generation: int, rows: list[ConflictRow]) -> None:
        if generation != self._generation:
            return
        selected = self.current_row()
        self._clear_detail()  # the record's conflicts may have changed too
        self.model.set_rows(rows)
        count = len(rows)
        self.count_label.setText(
            ngettext("{count} open conflict", "{count} open conflicts", count).format(
                count=format_number(count)
            )
            if count
            else ""
        )
        self.empty.setVisible(not rows)
        self.splitter.setVisible(bool(rows))
        index = self.model.index_of(selected.id) if selected else QModelIndex()
        if not index.isValid() and rows:
            index = self.model.index(0, 0)
        if index.isValid():
            self.table.setCurrentIndex(index)
        self.count_changed.emit(count)
        self.loaded.emit()

    def current_row(self) -> ConflictRow | None:
        return self.model.row_at(self.table.currentIndex())

    # -- the detail -----------------------------------------------------------------------------

    def _selected(self, index: QModelIndex) -> None:
        row = self.model.row_at(index)
        if row is None:
            self._clear_detail()
            return
        if self.detail is not None and self.detail.data.record_id == row.record_id:
            return  # another field of the record already shown: keep the choices made there
        self._detail_generation += 1
        generation, ctx = self._detail_generation, self._ctx
        kind, record_id = row.record_type, row.record_id
        Op(self, lambda _p: record_conflicts(ctx, kind, record_id)).on_success(
            lambda data: self._show_detail(generation, row, data)
        ).run()

    def _show_detail(self, generation: int, row: ConflictRow, data: RecordConflicts) -> None:
        if generation != self._detail_generation:
            return
        self.detail = ConflictDetail(data, self.detail_area)
        self.detail_area.setWidget(self.detail)
        self.detail_title.setText(
            _("{type} “{title}”").format(type=record_type_label(row.record_type), title=row.record_title)
        )
        show_error(self.error, None)
        self.resolve_button.setEnabled(bool(data.conflicts))
        self.detail_loaded.emit()

    def _clear_detail(self) -> None:
        self._detail_generation += 1
        self.detail = None
        self.detail_area.setWidget(QWidget())
        self.detail_title.setText("")
        self.resolve_button.setEnabled(False)

    def resolve_current(self) -> None:
        detail = self.detail
        if detail is None:
            return
        ids, values, deleted = detail.choice()
        ctx, kind, record_id = self._ctx, detail.data.record_type, detail.data.record_id
        self.resolve_button.setEnabled(False)
        Op(self, lambda _p: resolve(ctx, kind, record_id, ids, values, deleted=deleted)).on_success(
            self._resolved
        ).on_failure(self._failed).run()

    def _resolved(self, changes: ChangeSet) -> None:
        self.message.emit(_("Conflict resolved"))
        self.refresh()
        self.data_changed.emit(changes)

    def _failed(self, exc: BaseException) -> None:
        self.resolve_button.setEnabled(self.detail is not None)
        if isinstance(exc, FieldKitError):
            show_error(self.error, str(exc))
        else:
            show_failure(self, exc)
