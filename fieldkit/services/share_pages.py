"""What a key share looks like outside the computer: a QR code (PNG and SVG) and one
printable page (PDF) a trusted colleague can keep in a drawer.

The QR code holds exactly the share's text (``FIELDKIT-SHARE-1:...``), in QR's alphanumeric
mode, so any reader, ``zbarimg`` included, gives back the text that ``fieldkit keys restore
--shares`` reads. The page repeats the text in groups of five for typing back by hand.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import segno

from fieldkit.crypto.keybackup import KeyShare
from fieldkit.i18n import _, ngettext

#: a wide-coverage font for the page's translated lines, where the system has one
_PAGE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
)


@dataclass(frozen=True)
class ShareDocuments:
    text: bytes
    png: bytes
    svg: bytes
    pdf: bytes


def share_qr(share: KeyShare) -> segno.QRCode:
    # error correction M: a share on paper survives a crease or a coffee stain
    return segno.make_qr(share.text, error="m", boost_error=False)


def render_share(share: KeyShare, office_code: str, office_name: str) -> ShareDocuments:
    qr = share_qr(share)
    png, svg = io.BytesIO(), io.BytesIO()
    qr.save(png, kind="png", scale=6, border=4)
    qr.save(svg, kind="svg", scale=6, border=4)
    return ShareDocuments(
        text=(share.text + "\n").encode("ascii"),
        png=png.getvalue(),
        svg=svg.getvalue(),
        pdf=_share_page(share, qr, office_code, office_name),
    )


def _page_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in _PAGE_FONTS:
        if path.exists():
            try:
                pdfmetrics.registerFont(TTFont("FieldKitPage", str(path)))
            except Exception:  # a damaged font file: fall back to the built-in one
                continue
            return "FieldKitPage"
    return "Helvetica"


def _share_page(share: KeyShare, qr: segno.QRCode, office_code: str, office_name: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    width, height = A4
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setTitle(
        ngettext(
            "FieldKit key share {index} of {count}", "FieldKit key share {index} of {count}", share.count
        ).format(index=share.index, count=share.count)
    )
    font = _page_font()
    margin = 56.0
    y = height - margin

    def line(text: str, size: float = 11, gap: float = 16, face: str = "") -> None:
        nonlocal y
        page.setFont(face or font, size)
        page.drawString(margin, y, text)
        y -= gap

    line(_("FieldKit office key share"), 18, 26)
    line(_("Office: {code} ({name})").format(code=office_code, name=office_name), 12, 18)
    line(
        ngettext("Share {index} of {count}", "Share {index} of {count}", share.count).format(
            index=share.index, count=share.count
        ),
        14,
        20,
    )
    line(
        _("{needed} shares of this set are needed to restore the office keys").format(needed=share.threshold),
        12,
        18,
    )
    line(_("Fingerprint: {fingerprint}").format(fingerprint=share.fingerprint), 12, 24)

    # the QR code as vector squares: sharp on any printer
    matrix = list(qr.matrix)
    size_modules = len(matrix) + 8
    module = min(width - 2 * margin, 260.0) / size_modules
    top = y - 4 * module
    page.setFillColorRGB(0, 0, 0)
    for row_number, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if dark:
                page.rect(
                    margin + (column + 4) * module,
                    top - (row_number + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )
    y = top - (len(matrix) + 6) * module

    line(_("The same share as text, to type back if the code cannot be read:"), 10, 16)
    line(share.text[: len("FIELDKIT-SHARE-1:")], 10, 14, "Courier")
    for text in share.grouped_text():
        line(text, 10, 14, "Courier")
    y -= 10
    for instruction in (
        _("Keep this page locked away and tell no one else where it is."),
        _("It is one part of the office's secret keys; alone it reveals nothing."),
        _("If the office's computer is lost, bring this page to the person restoring the keys."),
        _("They run: fieldkit keys restore --shares FILES"),
        _("Destroy it when the office makes new shares or new keys."),
    ):
        line(instruction, 10, 15)
    page.showPage()
    page.save()
    return out.getvalue()
