"""The one date input: typed in the user's language, shown as the lists show dates, empty allowed.

``DateEdit`` is a line edit that reads what ``fieldkit.formatting.parse_date`` reads (the date as
the window shows it, the language's short numeric form, ISO) and, once the user leaves it or
presses Enter, shows the date in the window's one format for that kind of date. Empty text is
"no date" (a filter's "any"). The calendar (the button, F4 or Alt+Down) opens on the date, or on
today when there is none; Enter or a click chooses, Escape closes it. Text that names no date
marks the field invalid and keeps the last good date, so a half-typed year filters nothing away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.formatting import DateKind, format_date_as, parse_date
from fieldkit.i18n import _

INVALID_PROPERTY = "fieldInvalid"
_OPEN_KEYS = (Qt.Key.Key_F4,)
_INVALID_STYLE = "QLineEdit { border: 2px solid #c62828; border-radius: 3px; }"


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def place_below(owner: QWidget, popup: QWidget) -> None:
    """Put ``popup`` under ``owner``, on its reading side, and inside the screen (above it if
    there is no room below)."""
    rtl = owner.layoutDirection() == Qt.LayoutDirection.RightToLeft
    corner = owner.mapToGlobal(QPoint(owner.width() - popup.width() if rtl else 0, owner.height()))
    screen = owner.screen().availableGeometry()
    x = min(max(corner.x(), screen.left()), screen.right() - popup.width() + 1)
    y = corner.y()
    if y + popup.height() > screen.bottom() + 1:
        y = max(screen.top(), owner.mapToGlobal(QPoint(0, 0)).y() - popup.height())
    popup.move(x, y)


class CalendarPopup(QFrame):
    """The calendar under a ``DateEdit``; Enter or a click chooses, Escape closes."""

    chosen = Signal(object)

    def __init__(self, owner: QWidget, start: dt.date) -> None:
        super().__init__(owner, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setLayoutDirection(owner.layoutDirection())
        self.calendar = QCalendarWidget(self)
        self.calendar.setLocale(QLocale())
        self.calendar.setGridVisible(True)
        self.calendar.setSelectedDate(to_qdate(start))
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.calendar)
        self.calendar.clicked.connect(self._choose)
        self.calendar.activated.connect(self._choose)
        self.calendar.installEventFilter(self)

    def _choose(self, value: QDate) -> None:
        self.chosen.emit(from_qdate(value))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        escape = isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape
        if escape and event.type() == QEvent.Type.KeyPress:
            self.close()
            return True
        return super().eventFilter(watched, event)


class DateEdit(QWidget):
    """A date or none; ``changed`` fires when the date (not the text being typed) changes."""

    changed = Signal()

    def __init__(
        self,
        *,
        today: Callable[[], dt.date],
        placeholder: str = "",
        kind: DateKind = "day",
        accessible_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._today = today
        self._kind: DateKind = kind
        self._value: dt.date | None = None
        self.popup: CalendarPopup | None = None
        self.line = QLineEdit(self)
        self.line.setPlaceholderText(placeholder)
        self.line.setClearButtonEnabled(True)
        self.line.setAccessibleName(accessible_name or placeholder)
        self.line.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.button = QToolButton(self)
        self.button.setText("▾")
        self.button.setToolTip(_("Choose from a calendar (F4)"))
        self.button.setAccessibleName(_("Calendar"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard has F4 and Alt+Down
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fit_width()
        self.line.editingFinished.connect(self.commit)
        self.line.textEdited.connect(self._edited)
        self.line.textChanged.connect(self._cleared)
        self.line.installEventFilter(self)
        self.button.clicked.connect(self.open_calendar)

    def _fit_width(self) -> None:
        sample = format_date_as(dt.date(2026, 9, 28), self._kind) or "0000-00-00"
        width = self.line.fontMetrics().horizontalAdvance(sample) + 28  # the date and the clear button
        self.line.setMinimumWidth(width)

    # -- value ----------------------------------------------------------------------------------

    def date(self) -> dt.date | None:
        return self._value

    def set_date(self, value: dt.date | None) -> None:
        """Set from the program: shows the date, and fires ``changed`` only if it differs."""
        self._set(self._normalised(value), emit=True)

    def kind(self) -> DateKind:
        return self._kind

    def set_kind(self, kind: DateKind) -> None:
        """Day, month or year: what is shown, read and kept (a month is its first day)."""
        self._kind = kind
        self.button.setVisible(kind == "day")
        self._fit_width()
        self._set(self._normalised(self._value), emit=True)

    def is_valid(self) -> bool:
        """False while the text names no date (the last good date is still ``date()``)."""
        return not bool(self.line.property(INVALID_PROPERTY))

    def _normalised(self, value: dt.date | None) -> dt.date | None:
        if value is None or self._kind == "day":
            return value
        return value.replace(day=1) if self._kind == "month" else value.replace(month=1, day=1)

    def _set(self, value: dt.date | None, *, emit: bool) -> None:
        changed = value != self._value
        self._value = value
        self.line.blockSignals(True)
        self.line.setText(format_date_as(value, self._kind))
        self.line.blockSignals(False)
        self._mark_invalid(False)
        if changed and emit:
            self.changed.emit()

    def _mark_invalid(self, invalid: bool) -> None:
        if bool(self.line.property(INVALID_PROPERTY)) == invalid:
            return
        self.line.setProperty(INVALID_PROPERTY, invalid)
        example = format_date_as(self._today(), self._kind)
        self.line.setToolTip(_("Type a date like {example}").format(example=example) if invalid else "")
        self.line.setStyleSheet(_INVALID_STYLE if invalid else "")

    # -- typing ---------------------------------------------------------------------------------

    def _edited(self, text: str) -> None:
        # while typing, only a complete date counts, and a wrong one is marked at the end
        try:
            parse_date(text, self._kind)
        except ValueError:
            return
        self._mark_invalid(False)

    def _cleared(self, text: str) -> None:
        if not text and self._value is not None:  # the clear button: no date, at once
            self._set(None, emit=True)

    def commit(self) -> None:
        """Read the typed text (on leaving the field or Enter)."""
        text = self.line.text()
        try:
            value = parse_date(text, self._kind)
        except ValueError:
            self._mark_invalid(True)
            return
        self._set(self._normalised(value), emit=True)

    # -- calendar -------------------------------------------------------------------------------

    def open_calendar(self) -> CalendarPopup | None:
        if self._kind != "day" or not self.isEnabled():
            return None
        self.close_calendar()
        start = self._value or self._today()
        popup = CalendarPopup(self, start)
        self.popup = popup
        popup.chosen.connect(self._calendar_chose)
        popup.adjustSize()
        place_below(self, popup)
        popup.show()
        popup.calendar.setFocus(Qt.FocusReason.PopupFocusReason)
        return popup

    def close_calendar(self) -> None:
        popup, self.popup = self.popup, None
        if popup is not None:
            popup.close()
            popup.deleteLater()

    def _calendar_chose(self, value: dt.date) -> None:
        self.close_calendar()
        self._set(value, emit=True)
        self.line.setFocus(Qt.FocusReason.PopupFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            alt_down = event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
            if event.key() in _OPEN_KEYS or alt_down:
                self.commit()
                self.open_calendar()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.commit()  # and let Enter go on to the dialog's default button
        return super().eventFilter(watched, event)
