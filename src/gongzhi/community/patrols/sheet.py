"""A route's printable QR sheet (PDF, A4): one code per checkpoint with its order and name,
six to a page, cut along the lines and hung at each place. reportlab draws the codes itself
(``reportlab.graphics.barcode.qr``), so no other QR library is needed; the Chinese face is
the one the mediation agreements use."""

from __future__ import annotations

import io

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from gongzhi.mediation.printing import base_font, markup

from . import codes

COLUMNS, ROWS = 2, 3
CODE_MM = 62


def qr_drawing(text: str, size: float) -> Drawing:
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def qr_matrix(text: str) -> list[list[bool]]:
    """The code's modules (True = dark), for a picture of it (tests, the fake camera)."""
    widget = QrCodeWidget(text, barLevel="M")
    widget.draw()
    qr = widget.qr
    n = qr.getModuleCount()
    return [[bool(qr.isDark(r, c)) for c in range(n)] for r in range(n)]


def _centred(canvas, text: str, x: float, y: float, width: float, size: float, grey=0.0):
    """A line of text centred in ``width``: a Paragraph, so that characters outside the
    font's cut are set in a face that has them (``printing.markup``)."""
    style = ParagraphStyle(
        "qr",
        fontName=base_font().fontName,
        fontSize=size,
        leading=size * 1.3,
        alignment=TA_CENTER,
        textColor=(grey, grey, grey),
    )
    para = Paragraph(markup(text), style)
    _w, h = para.wrapOn(canvas, width, size * 3)
    para.drawOn(canvas, x, y - h / 2)


def route_sheet_pdf(route, base_url: str) -> bytes:
    out = io.BytesIO()
    page_w, page_h = A4
    cell_w, cell_h = page_w / COLUMNS, page_h / ROWS
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"{route.name} · QR")
    checkpoints = list(route.checkpoints.filter(enabled=True).order_by("order"))
    for i, checkpoint in enumerate(checkpoints):
        slot = i % (COLUMNS * ROWS)
        if i and slot == 0:
            canvas.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        x, y = col * cell_w, page_h - (row + 1) * cell_h
        canvas.setDash(2, 3)
        canvas.setStrokeGray(0.7)
        canvas.rect(x, y, cell_w, cell_h)
        canvas.setDash()
        size = CODE_MM * mm
        qr_drawing(codes.url_for(checkpoint, base_url), size).drawOn(
            canvas, x + (cell_w - size) / 2, y + cell_h - size - 10 * mm
        )
        pad = 6 * mm
        label = f"{checkpoint.order}. {checkpoint.name}"
        _centred(canvas, label, x + pad, y + 18 * mm, cell_w - 2 * pad, 15)
        note = f"{route.name} · v{checkpoint.code_version}"
        _centred(canvas, note, x + pad, y + 10 * mm, cell_w - 2 * pad, 9, grey=0.35)
    if not checkpoints:
        _centred(canvas, route.name, 20 * mm, page_h - 30 * mm, page_w - 40 * mm, 12)
    canvas.save()
    return out.getvalue()
