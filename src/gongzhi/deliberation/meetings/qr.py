"""The meeting's sign-in QR code (the URL of ``deliberation:meeting_sign_in`` with the
meeting's key) as a PNG for the screen and as a printable A4 sheet for the door."""

from __future__ import annotations

import io

import qrcode
from django.utils import timezone
from django.utils.translation import gettext as _


def png(url: str, *, box_size: int = 10) -> bytes:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2
    )
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


def sheet(meeting, url: str) -> bytes:
    """An A4 page: the meeting's title, time and place, the code, and how to sign in."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

    from gongzhi.mediation.printing import base_font, markup, styles

    font = base_font().fontName
    s = styles()
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    out = io.BytesIO()
    story = [
        Paragraph(markup(f"{meeting.region.name} · {meeting.get_kind_display()}"), s["center"]),
        Paragraph(markup(meeting.title), s["center"]),
        Paragraph(markup(f"{when} · {meeting.place} · {meeting.number}"), s["body"]),
        Spacer(1, 8 * mm),
        Image(io.BytesIO(png(url, box_size=12)), width=120 * mm, height=120 * mm),
        Spacer(1, 8 * mm),
        Paragraph(
            markup(
                _("Scan the code with your phone, sign in with your account and tap “Sign in”.")
            ),
            s["body"],
        ),
        Paragraph(markup(url), s["body"]),
    ]
    SimpleDocTemplate(out, pagesize=A4, initialFontName=font, title=meeting.number).build(story)
    return out.getvalue()
