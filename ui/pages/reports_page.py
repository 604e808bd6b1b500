"""Reports: choose a report and its filter, build it in the background (progress, cancel), page
through it as it will print, save it as PDF, save its tables as XLSX, or print it.

Building reads the figures on the store lane (``build_report``), then lays the pages out into
memory on the io lane (``print_to_memory``) and draws them with PDFium for the preview; saving
writes those very bytes, so what is saved is what was seen. Every report shown, saved or printed
is noted in the audit trail. The choices are remembered for next time (``ReportForm``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QPageSize, QShowEvent
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldkit.changeset import ChangeSet
from fieldkit.errors import FieldKitError, describe_error
from fieldkit.formatting import format_number
from fieldkit.i18n import LANGUAGES, _, ngettext
from fieldkit.progress import Progress
from fieldkit.reports.builders import (
    BuiltReport,
    ReportRequest,
    build_report,
    check_output,
    print_to_memory,
    save_pdf,
    save_xlsx,
)
from fieldkit.services.report_choices import REPORT_KINDS, ReportChoices, report_choices
from fieldkit.services.report_data import record_report_generated
from ui.folders import documents_folder
from ui.ops import Op, OpHandle, show_failure
from ui.pages.report_form import ReportForm
from ui.pages.report_preview import ReportPreview
from ui.pdf_pages import PdfPages, print_pages, printed_pages
from ui.widgets import page_frame
from ui.workspace import Workspace

_log = logging.getLogger(__name__)
FORM_WIDTH = 300


@dataclass(frozen=True)
class ShownReport:
    """The report in the preview: what was asked, what was built, and its pages in memory."""

    request: ReportRequest
    built: BuiltReport
    pages: PdfPages


class ReportsPage(QWidget):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = workspace.ctx
        self._choices: ReportChoices | None = None
        self._loading_choices = False
        self._job: OpHandle[Any] | None = None
        self.shown: ShownReport | None = None
        #: the print dialog while it is open, and the save dialog (tests drive them)
        self.print_dialog: QPrintDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.last_message = ""

        self.form = ReportForm(self._ctx, workspace.vocab, self)
        self.build_button = QPushButton(_("&Build the report"), self)
        self.build_button.setToolTip(_("Build the report and show its pages (Ctrl+Enter)"))
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.hide()
        self.progress = QProgressBar(self)
        self.progress.hide()
        self.progress.setFormat("%p%")
        self.save_button = QPushButton(_("&Save PDF…"), self)
        self.save_button.setToolTip(_("Save the report shown as a PDF file (Ctrl+S)"))
        self.xlsx_button = QPushButton(_("Save tables as &XLSX…"), self)
        self.xlsx_button.setToolTip(_("Save the report's tables, with the same figures, for a spreadsheet"))
        self.print_button = QPushButton(_("&Print…"), self)
        self.print_button.setToolTip(_("Print the report shown (Ctrl+P)"))
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(_("Report shown"))
        self.preview = ReportPreview(self)

        form_area = QScrollArea(self)
        form_area.setWidgetResizable(True)
        form_area.setFrameShape(QFrame.Shape.NoFrame)
        form_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form_body = QWidget(form_area)
        form_layout = QVBoxLayout(form_body)
        form_layout.setContentsMargins(0, 0, 8, 0)
        form_layout.addWidget(self.form)
        build_row = QHBoxLayout()
        build_row.addWidget(self.build_button)
        build_row.addWidget(self.cancel_button)
        build_row.addStretch(1)
        form_layout.addLayout(build_row)
        form_layout.addWidget(self.progress)
        form_layout.addStretch(1)
        form_area.setWidget(form_body)
        form_area.setFixedWidth(FORM_WIDTH)

        actions = QHBoxLayout()
        for button in (self.save_button, self.xlsx_button, self.print_button):
            actions.addWidget(button)
        actions.addStretch(1)
        right = QVBoxLayout()
        right.addLayout(actions)
        right.addWidget(self.status)
        right.addWidget(self.preview, 1)

        body = QHBoxLayout()
        body.addWidget(form_area)
        body.addLayout(right, 1)
        layout = page_frame(self, _("Reports"))
        layout.addLayout(body, 1)

        for keys, slot in (
            (QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return), self.build),
            (QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Enter), self.build),
            (QKeySequence(QKeySequence.StandardKey.Save), self.save_pdf),
            (QKeySequence(QKeySequence.StandardKey.Print), self.print_report),
        ):
            action = QAction(self)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

        self.build_button.clicked.connect(self.build)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button.clicked.connect(self.save_pdf)
        self.xlsx_button.clicked.connect(self.save_xlsx)
        self.print_button.clicked.connect(self.print_report)
        self.form.changed.connect(self._update_status)
        self.form.submitted.connect(self.build)
        self._update_actions()

    # -- choices --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._choices is None:
            self.load_choices()

    def load_choices(self) -> None:
        if self._loading_choices:
            return
        self._loading_choices = True
        ctx = self._ctx
        Op(self, lambda _p: report_choices(ctx)).on_success(self._set_choices).on_failure(
            self._choices_failed
        ).run()

    def _set_choices(self, choices: ReportChoices) -> None:
        self._loading_choices = False
        self._choices = choices
        self.form.set_choices(choices)
        self.form.setEnabled(choices.allowed)
        if not choices.allowed:
            self.preview.set_empty(
                _("Your role does not include printing reports. An administrator can change it.")
            )
        self._update_actions()

    def _choices_failed(self, exc: BaseException) -> None:
        self._loading_choices = False
        show_failure(self, exc)

    def set_workspace(self, workspace: Workspace) -> None:
        self.form.set_vocab(workspace.vocab)
        if self._choices is not None:
            self._choices = None
            self._update_actions()
            if self.isVisible():
                self.load_choices()

    def apply_changes(self, changes: ChangeSet) -> None:
        """New offices or places change what may be chosen, and visits saved, deleted or restored
        the visits offered; the preview stays what it was (the status says when the form moved on)."""
        if (changes.offices or changes.areas) and self._choices is not None:
            self._choices = None
            self._update_actions()
            if self.isVisible():
                self.load_choices()
        if changes.touches("monitoring_visit") and self.form.visit.count():
            self.form.load_visits()

    def report_on_visit(self, visit_id: str, label: str) -> None:
        """Set the form to this visit's report (the Monitoring page's "report" action)."""
        self.form.choose_visit(visit_id, label)
        self.build_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building -------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._job is not None

    def build(self) -> None:
        if self.busy or self._choices is None or not self._choices.allowed:
            return
        request = self.form.request()
        missing = self.form.missing()
        self.form.show_problems(missing)
        if missing:
            return
        self.form.remember()
        ctx = self._ctx
        self._start(
            Op(self, lambda _p: build_report(ctx, request))
            .on_success(lambda built: self._built(request, built))
            .with_progress(_("Reading the figures…"), bar=self.progress)
        )

    def _built(self, request: ReportRequest, built: BuiltReport) -> None:
        if self._job is not None and self._job.progress.cancelled:  # asked to stop as it finished
            self._cancelled()
            return
        self._lay_out(request, built)

    def _lay_out(self, request: ReportRequest, built: BuiltReport) -> None:
        def lay_out(progress: Progress) -> tuple[PdfPages, int]:
            data, count = print_to_memory(built, progress)
            return PdfPages(data), count

        self._start(
            Op(self, lay_out, lane="io")
            .on_success(lambda result: self._show(ShownReport(request, built, result[0])))
            .with_progress(_("Laying out the pages…"), bar=self.progress)
        )

    def _start(self, op: Op[Any]) -> None:
        self._job = op.on_failure(self._failed).on_cancel(self._cancelled).run()
        self._update_actions()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.cancel_button.setEnabled(False)

    def _show(self, shown: ShownReport) -> None:
        self._job = None
        old = self.shown
        self.shown = shown
        self.preview.set_pages(shown.pages)
        if old is not None:  # on the io lane: a page of it may still be being drawn there
            Op(self, lambda _p: old.pages.close(), lane="io").run()
        self._update_actions()
        self._note(shown, shown.pages.count, output="preview")

    def _failed(self, exc: BaseException) -> None:
        self._job = None
        self._update_actions()
        if isinstance(exc, FieldKitError):  # bad input: said beside the choices
            self.form.show_problems(describe_error(exc))
        else:
            show_failure(self, exc)

    def _output_failed(self, exc: BaseException) -> None:
        """Saving or printing failed (a folder not writable, a printer gone): said in a message
        box, not beside the choices, which were not the problem."""
        self._job = None
        self._update_actions()
        show_failure(self, exc)

    def _cancelled(self) -> None:
        self._job = None
        self._update_actions()
        self._say(_("Stopped: the report was not built."))

    # -- saving and printing --------------------------------------------------------------------

    def save_pdf(self) -> None:
        if self.shown is not None and not self.busy:
            self._choose_file(_("Save the report as PDF"), "pdf", _("PDF files (*.pdf)"), self._write_pdf)

    def save_xlsx(self) -> None:
        if self.shown is not None and not self.busy:
            self._choose_file(
                _("Save the report's tables"), "xlsx", _("Spreadsheets (*.xlsx)"), self._write_xlsx
            )

    def _choose_file(self, title: str, suffix: str, filters: str, then: Any) -> None:
        assert self.shown is not None
        shown = self.shown
        dialog = QFileDialog(self, title)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter(filters)
        dialog.setDefaultSuffix(suffix)
        dialog.setDirectory(str(documents_folder()))
        dialog.selectFile(f"{_file_stem(shown)}.{suffix}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda target: then(shown, Path(target)) if target else None)
        self.file_dialog = dialog
        dialog.destroyed.connect(lambda *_: setattr(self, "file_dialog", None))
        dialog.open()

    def _write_pdf(self, shown: ShownReport, path: Path) -> None:
        data = shown.pages.data
        self._write(shown, path, lambda: save_pdf(data, path), shown.pages.count)

    def _write_xlsx(self, shown: ShownReport, path: Path) -> None:
        document = shown.built.document

        def write() -> Path:
            target = check_output(path, "xlsx")
            save_xlsx(document, target)
            return target

        self._write(shown, path, write, None)

    def _write(self, shown: ShownReport, path: Path, write: Any, pages: int | None) -> None:
        def saved(target: Path) -> None:
            self._job = None
            self._update_actions()
            self._say(_("Saved {path}").format(path=str(target)))
            self._note(shown, pages, file_name=target.name)

        self._job = (
            Op(self, lambda _p: write(), lane="io")
            .with_progress(_("Saving {name}…").format(name=path.name), cancellable=False, bar=self.progress)
            .on_success(saved)
            .on_failure(self._output_failed)
            .run()
        )
        self._update_actions()

    def print_report(self) -> None:
        if self.shown is None or self.busy:
            return
        printer = self._printer(self.shown)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Print the report"))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, self.shown.pages.count)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        shown = self.shown
        dialog.accepted.connect(lambda: self.print_with(printer, shown))
        self.print_dialog = dialog
        dialog.destroyed.connect(lambda *_: setattr(self, "print_dialog", None))
        dialog.show()  # window-modal once shown; exec() would run a loop of its own

    def _printer(self, shown: ShownReport) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(shown.built.document.title)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFromTo(1, shown.pages.count)
        return printer

    def print_with(self, printer: QPrinter, shown: ShownReport | None = None) -> None:
        """Send the report shown to ``printer`` (as the print dialog set it up) in the background."""
        shown = shown or self.shown
        if shown is None or self.busy:
            return
        first, last = printer.fromPage(), printer.toPage()
        if printer.printRange() == QPrinter.PrintRange.AllPages:
            first = last = 0
        copies = 1 if printer.supportsMultipleCopies() else printer.copyCount()
        numbers = printed_pages(shown.pages.count, first, last, copies)

        def printed(sent: int) -> None:
            self._job = None
            self._update_actions()
            self._say(
                ngettext(
                    "Sent {count} page to the printer", "Sent {count} pages to the printer", sent
                ).format(count=format_number(sent))
            )
            self._note(shown, sent, output="print")

        self._job = (
            Op(self, lambda progress: print_pages(shown.pages, printer, numbers, progress), lane="io")
            .with_progress(_("Printing…"), bar=self.progress)
            .on_success(printed)
            .on_failure(self._output_failed)
            .on_cancel(self._cancelled_print)
            .run()
        )
        self._update_actions()

    def _cancelled_print(self) -> None:
        self._job = None
        self._update_actions()
        self._say(_("Printing stopped."))

    # -- state ----------------------------------------------------------------------------------

    def release(self) -> None:
        """Let go of the report shown (its pages in memory), as the window closes."""
        if self.shown is not None:
            self.preview.set_empty("")
            self.shown.pages.close()
            self.shown = None

    def _note(self, shown: ShownReport, pages: int | None, *, file_name: str = "", output: str = "") -> None:
        """Note the report in the audit trail (a store that cannot take it is logged, not shown)."""
        ctx, built = self._ctx, shown.built

        def note(_progress: Progress) -> bool:
            return record_report_generated(
                ctx,
                built.kind,
                built.applied,
                pages,
                record_id=built.record_id,
                file_name=file_name,
                output=output,
            )

        Op(self, note).on_failure(
            lambda exc: _log.warning("Report not noted in the audit trail: %s", type(exc).__name__)
        ).run()

    def _say(self, text: str) -> None:
        self.last_message = text
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 8000)

    def _update_actions(self) -> None:
        busy = self.busy
        allowed = self._choices is not None and self._choices.allowed
        self.build_button.setEnabled(allowed and not busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        for button in (self.save_button, self.xlsx_button, self.print_button):
            button.setEnabled(self.shown is not None and not busy)
        self._update_status()

    def _update_status(self) -> None:
        shown = self.shown
        if shown is None:
            self.status.setText("")
            self.status.hide()
            return
        request = shown.request
        text = ngettext(
            "{report} in {language}: {count} page", "{report} in {language}: {count} pages", shown.pages.count
        ).format(
            report=REPORT_KINDS[request.kind].name(),
            language=LANGUAGES.get(request.lang, request.lang),
            count=format_number(shown.pages.count),
        )
        if self.form.request() != request:
            text = _("{shown}. The choices have changed since: build it again to see them.").format(
                shown=text
            )
        self.status.setText(text)
        self.status.show()


def _file_stem(shown: ShownReport) -> str:
    """A file name that says what the report is, never who it is about."""
    request = shown.request
    applied = shown.built.applied
    if applied is not None:
        return f"{request.kind}-{applied.date_from.isoformat()}-{applied.date_to.isoformat()}-{request.lang}"
    return f"{request.kind}-{request.lang}"
