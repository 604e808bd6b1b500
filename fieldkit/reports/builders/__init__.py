"""The reports FieldKit prints, built from the services' figures into the engine's documents.

``KINDS`` names each report (what ``fieldkit report --list`` prints); ``build_report`` makes a
report's ``Document`` in any of the six languages, whatever the interface's; ``make_report``
prints it (and its tables as XLSX when asked), leaving no partial file, and notes it in the
audit trail.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.i18n import _, current_language, ngettext, translator
from fieldkit.progress import Progress
from fieldkit.reports import model as m
from fieldkit.reports.builders.regional import build_briefing, build_regional
from fieldkit.reports.builders.summary import build_situation
from fieldkit.reports.builders.visit import build_visit
from fieldkit.reports.builders.xlsx import save_xlsx, tables_of
from fieldkit.reports.render import render, write_replacing
from fieldkit.services.report_choices import REPORT_KINDS
from fieldkit.services.report_data import record_report_generated
from fieldkit.services.report_filter import AppliedFilter, ReportFilter, check_language

#: each kind of report and what it is (declared with the rest of a kind in ``REPORT_KINDS``)
KINDS: dict[str, str] = {kind: spec.summary for kind, spec in REPORT_KINDS.items()}


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    lang: str = ""
    filter: ReportFilter = field(default_factory=ReportFilter)
    visit_id: str = ""
    redact: bool = False
    country: str = ""


@dataclass(frozen=True)
class BuiltReport:
    kind: str
    document: m.Document
    #: the filter as applied (None for a single visit's report)
    applied: AppliedFilter | None
    record_id: str = ""


def describe_kinds(lang: str | None = None) -> list[str]:
    """One line per kind, its name first: what ``fieldkit report --list`` prints."""
    gettext = translator(lang or current_language()).gettext
    return [f"{kind}\t{gettext(text)}" for kind, text in KINDS.items()]


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError(message, {field: message})


@requires(Permission.PRINT_REPORTS)
def build_report(ctx: Context, request: ReportRequest) -> BuiltReport:
    """The report ``request`` asks for, as a document; ``ValidationError``/``NotFound`` for bad input."""
    lang = request.lang or current_language()
    if request.kind not in KINDS:
        raise _fail(
            "kind",
            _("Unknown report '{kind}': use one of {kinds}.").format(
                kind=request.kind, kinds=", ".join(KINDS)
            ),
        )
    check_language(lang)
    if request.kind == "visit":
        if not request.visit_id:
            raise _fail("visit", _("Name the visit to report on with {option}.").format(option="--visit ID"))
        doc, report = build_visit(ctx, request.visit_id, lang, redact=request.redact)
        return BuiltReport("visit", doc, None, report.visit.id or request.visit_id)
    if request.kind == "situation":
        doc, summary = build_situation(ctx, request.filter, lang)
        return BuiltReport("situation", doc, summary.filter)
    if request.kind == "regional":
        doc, regional = build_regional(ctx, request.filter, lang)
        return BuiltReport("regional", doc, regional.filter)
    if not request.country:
        raise _fail(
            "country", _("Name the country of the pack with {option}.").format(option="--country CODE")
        )
    doc, pack = build_briefing(ctx, request.filter, request.country, lang)
    return BuiltReport("briefing", doc, pack.filter)


def check_output(path: str | os.PathLike[str], option: str) -> Path:
    """``path`` if a file can be written there; one clear message otherwise (nothing is written)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise _fail(option, _("{path} is a folder: give a file name.").format(path=str(target)))
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise _fail(
            option,
            _("Cannot write to {path}: its folder is missing or not writable.").format(path=str(target)),
        )
    if target.exists() and not os.access(target, os.W_OK):
        raise _fail(option, _("Cannot write to {path}: the file is not writable.").format(path=str(target)))
    return target


def print_to_memory(built: BuiltReport, progress: Progress | None = None) -> tuple[bytes, int]:
    """Print a built report into memory (for a preview that may be saved or printed later):
    the PDF and its pages. ``progress`` counts pages laid out, and its cancel stops the work."""
    progress = progress or Progress()
    label = _("Laying out the pages…")
    progress.set_total(0, label)

    def page_done(number: int) -> None:
        progress.check()
        progress.set_label(
            ngettext("Laid out {count} page…", "Laid out {count} pages…", number).format(count=number)
        )

    out = io.BytesIO()
    pages = render(built.document, out, on_page=page_done)
    return out.getvalue(), pages


def save_pdf(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Save a report printed into memory to ``path``, checked first and written whole or not at all."""
    target = check_output(path, "out")
    write_replacing(target, lambda out: out.write(data))
    return target


@requires(Permission.PRINT_REPORTS)
def make_report(
    ctx: Context,
    request: ReportRequest,
    out: str | os.PathLike[str],
    xlsx: str | os.PathLike[str] | None = None,
) -> tuple[BuiltReport, int]:
    """Build, print to ``out`` (and save the tables to ``xlsx``), and audit; returns the report and
    its pages. The outputs are checked first; a failure leaves neither file behind."""
    pdf = check_output(out, "out")
    sheet = check_output(xlsx, "xlsx") if xlsx is not None else None
    built = build_report(ctx, request)
    existed = pdf.exists()
    pages = render(built.document, pdf)
    if sheet is not None:
        try:
            save_xlsx(built.document, sheet)
        except BaseException:
            if not existed:
                pdf.unlink(missing_ok=True)
            raise
    record_report_generated(
        ctx, built.kind, built.applied, pages, record_id=built.record_id, file_name=pdf.name
    )
    return built, pages


__all__ = [
    "KINDS",
    "BuiltReport",
    "ReportRequest",
    "build_report",
    "check_output",
    "describe_kinds",
    "make_report",
    "print_to_memory",
    "save_pdf",
    "save_xlsx",
    "tables_of",
]
