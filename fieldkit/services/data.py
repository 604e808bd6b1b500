"""Counts and plain exports of every synced record, for scripts and spreadsheets.

The JSON-lines export is canonical: records sorted by type (dependency order)
and id, keys sorted, no whitespace, so two stores with the same content give
byte-identical files whatever order their rows were written in.

Spreadsheet exports hold text a partner office wrote, so no text may become a
formula: XLSX cells holding text are typed as strings, and CSV text that a
spreadsheet would read as a formula gets a leading apostrophe (as OWASP
advises for CSV injection). CSV is UTF-8 with a byte-order mark, without which
Excel reads Arabic and Chinese as mojibake.

Counts and exports hold only the records the user is cleared for, and identifying details
only when asked for by a user who may see them (``fieldkit.store.clearance``); asking for
them without that clearance is refused before anything is written.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.services.audit import audit_data_export
from fieldkit.store.base import SyncedRecord
from fieldkit.store.clearance import conflicts_in_sight, redacted, require_restricted, visibility_conditions
from fieldkit.store.codec import fields_of, row_to_dict
from fieldkit.store.registry import record_models, restricted_fields

FORMATS = ("jsonl", "csv", "xlsx")
#: what a spreadsheet reads as the start of a formula when a CSV cell begins with it
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: control characters an XLSX file cannot hold at all (XML 1.0 forbids them)
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@requires(Permission.VIEW_RECORDS)
def stats(ctx: Context) -> dict[str, dict[str, int]]:
    """Per record type: live records and tombstones, of those the user is cleared for."""
    result: dict[str, dict[str, int]] = {}
    with ctx.store.read() as session:
        for model in record_models():
            visible = visibility_conditions(model, ctx.principal)
            query = select(model.deleted, func.count()).where(*visible).group_by(model.deleted)
            counts = dict(session.execute(query).all())
            result[model.record_type] = {
                "live": int(counts.get(False, 0)),
                "deleted": int(counts.get(True, 0)),
            }
    return result


def exported_models() -> list[type[SyncedRecord]]:
    """The types export-data writes, as their declarations say, parents first."""
    return [m for m in record_models() if m.spec.exported]


@requires(Permission.EXPORT_DATA)
def iter_records(
    ctx: Context, model: type[SyncedRecord], *, include_restricted: bool, batch: int = 5000
) -> Iterator[dict[str, Any]]:
    """Every row of ``model`` the user is cleared for (tombstones included) as JSON-safe dicts,
    sorted by id; restricted fields redacted unless ``include_restricted``, which only a user
    who may see them can ask for (``RestrictedFieldsDenied``)."""
    if include_restricted:
        require_restricted(ctx.principal)
    table = model.__table__
    restricted = restricted_fields(model.record_type)
    visible = visibility_conditions(model, ctx.principal)
    with ctx.store.read() as session:
        query = select(table).where(*visible).order_by(table.c.id)
        for row in session.execute(query.execution_options(yield_per=batch)):
            record = row_to_dict(model, row)
            if restricted and not include_restricted:
                for key in restricted:
                    record[key] = redacted(record.get(key))
            yield record


@requires(Permission.EXPORT_DATA)
def iter_conflicts(ctx: Context, *, include_restricted: bool = False) -> Iterator[dict[str, Any]]:
    """Conflicts, open and resolved, sorted by id: part of what offices must agree on. Those on
    records the user is not cleared for are left out; values of restricted fields are redacted
    unless ``include_restricted``, as in ``iter_records``."""
    from fieldkit.store.system import Conflict

    if include_restricted:
        require_restricted(ctx.principal)
    with ctx.store.read() as session:
        conflicts = select(Conflict).where(*_conflicts_in_sight(ctx)).order_by(Conflict.id)
        for c in session.execute(conflicts).scalars():
            hide = not include_restricted and c.field in restricted_fields(c.record_type)
            winner = redacted(c.winner_value) if hide else c.winner_value
            loser = redacted(c.loser_value) if hide else c.loser_value
            yield {
                "id": c.id,
                "record_type": c.record_type,
                "record_id": c.record_id,
                "field": c.field,
                "kind": c.kind,
                "status": c.status,
                "resolved_by_change": c.resolved_by_change,
                "winner": {
                    "change": c.winner_change,
                    "value": winner,
                    "by": c.winner_by,
                    "at": c.winner_at.isoformat(timespec="microseconds"),
                },
                "loser": {
                    "change": c.loser_change,
                    "value": loser,
                    "by": c.loser_by,
                    "at": c.loser_at.isoformat(timespec="microseconds"),
                },
            }


def _conflicts_in_sight(ctx: Context) -> list[Any]:
    """Conditions on ``conflict`` rows: of records the user may see."""
    return list(conflicts_in_sight(ctx.principal))


def canonical_json(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@requires(Permission.EXPORT_DATA)
def export_data(
    ctx: Context,
    fmt: str,
    out_dir: Path,
    *,
    include_restricted: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Write every synced record to ``out_dir``; return the files written."""
    if fmt not in FORMATS:
        raise ValidationError(
            _("Unknown export format '{fmt}'; use one of: {choices}").format(
                fmt=fmt, choices=", ".join(FORMATS)
            )
        )
    if include_restricted:
        require_restricted(ctx.principal)  # before a file is written
    progress = progress or Progress()
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = stats(ctx)
    progress.set_total(sum(c["live"] + c["deleted"] for c in counts.values()), _("Exporting records"))
    if fmt == "xlsx":
        written = [_export_xlsx(ctx, out_dir, include_restricted, progress)]
        audit_data_export(ctx, fmt, written, counts, include_restricted=include_restricted)
        return written
    written = []
    for model in exported_models():
        path = out_dir / f"{model.record_type}.{fmt}"
        records = iter_records(ctx, model, include_restricted=include_restricted)
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        with path.open("w", encoding=encoding, newline="") as fh:
            if fmt == "jsonl":
                for n, record in enumerate(records, 1):
                    fh.write(canonical_json(record))
                    fh.write("\n")
                    if n % 1000 == 0:
                        progress.step(1000)
            else:
                names = [f.name for f in fields_of(model)]
                writer = csv.writer(fh)
                writer.writerow(names)
                for n, record in enumerate(records, 1):
                    writer.writerow([csv_cell(record[k]) for k in names])
                    if n % 1000 == 0:
                        progress.step(1000)
        written.append(path)
    if fmt == "jsonl":
        path = out_dir / "conflict.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for conflict in iter_conflicts(ctx, include_restricted=include_restricted):
                fh.write(canonical_json(conflict) + "\n")
        written.append(path)
    audit_data_export(ctx, fmt, written, counts, include_restricted=include_restricted)
    return written


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if value is None:
        return ""
    return value


def csv_cell(value: Any) -> Any:
    """A field's value as a CSV cell that a spreadsheet shows as the text it is."""
    cell = _cell(value)
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = _cell(value)
    if not isinstance(cell, str):
        return cell
    # openpyxl refuses these outright: one stray byte from a partner must not stop the export
    text = _NOT_IN_XML.sub("\ufffd", cell)
    written = WriteOnlyCell(sheet, value=text)
    written.data_type = "s"  # openpyxl makes any text starting with "=" a formula
    return written


def _export_xlsx(ctx: Context, out_dir: Path, include_restricted: bool, progress: Progress) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for model in exported_models():
        sheet = book.create_sheet(model.record_type[:31])
        names = [f.name for f in fields_of(model)]
        sheet.append(names)
        for n, record in enumerate(iter_records(ctx, model, include_restricted=include_restricted), 1):
            sheet.append([_xlsx_cell(sheet, record[k]) for k in names])
            if n % 1000 == 0:
                progress.step(1000)
    path = out_dir / "fieldkit-export.xlsx"
    book.save(path)
    return path
