"""Small widgets shared by pages: page frames, headings, empty states, number cards, error labels and
message boxes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

#: margins (start, top, end, bottom) and spacing of every page of the main window, and of a tab's body
PAGE_MARGINS = (12, 10, 12, 8)
TAB_MARGINS = (6, 6, 6, 6)
PAGE_SPACING = 8
#: the object name of a page's heading, for style sheets and tests
PAGE_HEADING = "PageHeading"
#: a message box is never narrower than this many average characters
MESSAGE_MIN_CHARS = 52


def row_table(
    parent: QWidget | None,
    name: str,
    model: QAbstractItemModel | None = None,
    *,
    stretch: int | None = None,
    sortable: bool = False,
) -> QTableView:
    """A read-only list of rows as every page shows one: whole rows selected one at a time,
    no row numbers, no wrapping, alternating shades; ``stretch`` names the column that fills."""
    view = QTableView(parent)
    if model is not None:
        view.setModel(model)
    view.setAccessibleName(name)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the list (arrows move inside), or keyboard users are stuck
    view.setAlternatingRowColors(True)
    view.setSortingEnabled(sortable)
    if stretch is not None:
        view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def heading(text: str, parent: QWidget | None = None, *, scale: float = 1.5) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def page_frame(page: QWidget, title: str | QLabel | None, *, scroll: bool = False) -> QVBoxLayout:
    """The layout a page's contents go into, with the margins, spacing and heading every page shares.

    ``title`` None frames the body of a tab (the tab names it). With ``scroll`` the body scrolls under
    a heading that stays put, for pages taller than a small screen."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(*(PAGE_MARGINS if title is not None else TAB_MARGINS))
    outer.setSpacing(PAGE_SPACING)
    if title is not None:
        label = title if isinstance(title, QLabel) else heading(title, page)
        label.setObjectName(PAGE_HEADING)
        outer.addWidget(label)
    if not scroll:
        return outer
    area = QScrollArea(page)
    area.setObjectName("PageScrollArea")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the body wraps instead
    body = QWidget(area)
    area.setWidget(body)
    outer.addWidget(area, 1)
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(PAGE_SPACING)
    return layout


def note(text: str, parent: QWidget | None = None) -> QLabel:
    """A wrapped paragraph of explanation."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def fit_columns(
    view: QTableView, minimum_ems: dict[int, float], *, extra: dict[int, int] | None = None
) -> None:
    """Compact rows; each listed column wide enough for its header, its sort arrow and ``minimum_ems``."""
    metrics = view.fontMetrics()
    em = metrics.horizontalAdvance("M")
    view.verticalHeader().setDefaultSectionSize(metrics.height() + 10)
    header = view.horizontalHeader()
    model = view.model()
    for column, ems in minimum_ems.items():
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(
            int(ems * em), (extra or {}).get(column, 0), header.fontMetrics().horizontalAdvance(text) + 2 * em
        )
        header.resizeSection(column, width)


class EmptyState(QWidget):
    """What a list shows when it has nothing: an icon, a short heading, one sentence and perhaps a
    button, compact and centred in the space the list would take."""

    action_clicked = Signal()

    def __init__(
        self,
        title: str,
        sentence: str,
        parent: QWidget | None = None,
        *,
        icon: QStyle.StandardPixmap | None = QStyle.StandardPixmap.SP_MessageBoxInformation,
        action: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EmptyState")
        self.icon_label = QLabel(self)
        if icon is not None:
            size = self.fontMetrics().height() * 2
            self.icon_label.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        self.icon_label.setVisible(icon is not None)
        self.title_label = heading(title, self, scale=1.15)
        self.sentence_label = QLabel(sentence, self)
        self.sentence_label.setWordWrap(True)
        self.sentence_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(action or "", self)
        self.button.setVisible(action is not None)
        self.button.clicked.connect(self.action_clicked)
        column = QVBoxLayout()
        column.setSpacing(6)
        centre = Qt.AlignmentFlag.AlignHCenter
        for label in (self.title_label, self.sentence_label):
            label.setAlignment(centre)
        column.addWidget(self.icon_label, 0, centre)
        column.addWidget(self.title_label)
        column.addWidget(self.sentence_label)
        column.addWidget(self.button, 0, centre)
        holder = QWidget(self)
        holder.setLayout(column)
        holder.setMaximumWidth(self.fontMetrics().averageCharWidth() * 60)  # a readable line, not the page
        holder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder, 100)  # as wide as it may be; the stretches share the rest and centre it
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)  # a little above the middle, where the eye looks first
        self.setAccessibleName(title)
        self.setAccessibleDescription(sentence)

    def set_text(self, title: str, sentence: str) -> None:
        self.title_label.setText(title)
        self.sentence_label.setText(sentence)
        self.setAccessibleName(title)
        self.setAccessibleDescription(sentence)


def isolated(text: str) -> str:
    """Text that keeps its own order inside a sentence of the other direction (a path, a code)."""
    return "\u2068" + text + "\u2069"


class MessageBox(QMessageBox):
    """A message box wide enough for its longest file name (up to the screen's width)."""

    def __init__(self, *args: object, min_width: int = 0, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-overload]
        self.min_width = min_width

    def showEvent(self, event: QShowEvent) -> None:
        # QMessageBox rebuilds its grid when texts change and sizes itself to the grid's minimum width
        # as it shows: a spacer put in the grid now sets that minimum.
        layout = self.layout()
        if isinstance(layout, QGridLayout) and self.findChild(QWidget, "MessageBoxWidth") is None:
            marker = QWidget(self)
            marker.setObjectName("MessageBoxWidth")
            marker.hide()
            layout.addItem(
                QSpacerItem(self._width(), 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Minimum),
                layout.rowCount(), 0, 1, layout.columnCount(),
            )  # fmt: skip
        super().showEvent(event)

    def _width(self) -> int:
        width = max(self.min_width, self.fontMetrics().averageCharWidth() * MESSAGE_MIN_CHARS)
        screen = self.screen()
        if screen is not None:
            width = min(width, screen.availableGeometry().width() - 64)
        return width


def message_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    *,
    details: str = "",
    files: Sequence[object] = (),
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
) -> QMessageBox:
    """A message, its explanation and the files it is about, each file on a line of its own and kept
    in its order in right-to-left text; never too narrow for those names. Deleted when closed;
    show it with ``open()``."""
    names = [str(f) for f in files]
    box = MessageBox(icon, title, text, buttons, parent)
    widest = max((box.fontMetrics().horizontalAdvance(n) for n in names), default=0)
    box.min_width = widest + box.fontMetrics().height() * 6  # the icon and the margins beside the text
    box.setInformativeText("\n".join([details, *map(isolated, names)] if details else map(isolated, names)))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def text_width(view: QTableView, texts: Sequence[str]) -> int:
    """Room in a column of ``view`` for the widest of ``texts`` (a vocabulary's labels, a sample
    date), with the cell's margins: pass it to ``fit_columns`` as ``extra``."""
    metrics = view.fontMetrics()
    return max((metrics.horizontalAdvance(text) for text in texts), default=0) + metrics.height()


def error_label(parent: QWidget | None = None) -> QLabel:
    """Shown beside a field while its value is rejected; hidden otherwise."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.hide()
    return label


def show_error(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


class NumberCard(QFrame):
    """A big figure with a caption; clickable when it leads somewhere."""

    clicked = Signal()

    def __init__(self, caption: str, parent: QWidget | None = None, *, clickable: bool = False) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("NumberCard")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._clickable = clickable
        layout = QVBoxLayout(self)
        self.value_label = QLabel("…", self)
        font = QFont(self.value_label.font())
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value_label.setFont(font)
        self.caption_label = QLabel(caption, self)
        self.caption_label.setWordWrap(True)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(caption)

    def set_value(self, text: str) -> None:
        self.value_label.setText(text)
        self.setAccessibleDescription(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Enter/Space: the keyboard path to the same place
        if self._clickable and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


def tab_stop_follows_check(*buttons: QAbstractButton) -> None:
    """Keep the checked one of exclusive ``buttons`` their Tab stop (arrows move between them).

    Qt gives the stop to the button checked when the window first shows, and moves it only when
    the arrows do; a button checked by typing in its fields (or by a click) must take it too.
    """

    def follow() -> None:
        for button in buttons:
            policy = Qt.FocusPolicy.StrongFocus
            if not button.isChecked():
                policy = Qt.FocusPolicy(policy.value & ~Qt.FocusPolicy.TabFocus.value)
            button.setFocusPolicy(policy)

    for button in buttons:
        button.toggled.connect(lambda _checked: follow())
    follow()
