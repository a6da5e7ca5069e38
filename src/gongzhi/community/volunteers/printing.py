"""The shift's check-in QR code (PNG for the screen, an A4 sheet to print) and the
certificate of a volunteer's hours (志愿服务时长证明) as PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import SignUpState
from ..models import SignUp

CERTIFICATE_SALT = "gongzhi.community.volunteers.certificate"


def png(url: str, *, box_size: int = 10) -> bytes:
    import qrcode

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2
    )
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


def sheet(shift, url: str) -> bytes:
    """An A4 page for the meeting point: the shift, the code, how to check in."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

    from gongzhi.mediation.printing import base_font, markup, styles

    s = styles()
    start = timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(shift.ends_at).strftime("%H:%M")
    out = io.BytesIO()
    story = [
        Paragraph(markup(f"{shift.region.name} · {shift.get_kind_display()}"), s["center"]),
        Paragraph(markup(shift.title), s["center"]),
        Paragraph(markup(f"{start}–{end} · {shift.place}"), s["body"]),
        Spacer(1, 8 * mm),
        Image(io.BytesIO(png(url, box_size=12)), width=120 * mm, height=120 * mm),
        Spacer(1, 8 * mm),
        Paragraph(
            markup(_("Volunteers: scan the code with your phone, sign in and tap “Check in”.")),
            s["body"],
        ),
        Paragraph(markup(url), s["body"]),
    ]
    SimpleDocTemplate(
        out, pagesize=A4, initialFontName=base_font().fontName, title=shift.title
    ).build(story)
    return out.getvalue()


def services_of(volunteer, start: dt.date | None = None, end: dt.date | None = None):
    rows = (
        SignUp.objects.filter(volunteer=volunteer, state=SignUpState.ATTENDED)
        .select_related("shift")
        .order_by("shift__starts_at", "id")
    )
    if start:
        rows = rows.filter(shift__starts_at__date__gte=start)
    if end:
        rows = rows.filter(shift__starts_at__date__lte=end)
    return list(rows)


def verification_number(volunteer, start, end, total: Decimal) -> str:
    """A number that changes with the certificate's contents and that only this server
    can make: the person, the period and the total, signed."""
    period = f"{start:%Y%m%d}-{end:%Y%m%d}"
    mac = signing.Signer(salt=CERTIFICATE_SALT).signature(f"{volunteer.pk}:{period}:{total}")
    digest = "".join(c for c in mac.upper() if c.isalnum())[:8]
    return f"ZY{volunteer.pk:06d}-{period}-{digest}"


def certificate(volunteer, start: dt.date | None = None, end: dt.date | None = None):
    """(pdf bytes, verification number) for the volunteer's attended services in the
    period (default: from the first service to today)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from gongzhi.mediation.printing import base_font, markup, styles

    rows = services_of(volunteer, start, end)
    today = timezone.localdate()
    if start is None:
        start = timezone.localdate(rows[0].shift.starts_at) if rows else volunteer.created_at.date()
    end = end or today
    total = sum((r.hours or Decimal(0) for r in rows), Decimal(0))
    number = verification_number(volunteer, start, end, total)
    s = styles()
    table = [[_("Date"), _("Service"), _("Kind"), _("Hours")]] + [
        [
            timezone.localtime(r.shift.starts_at).strftime("%Y-%m-%d"),
            Paragraph(markup(r.shift.title), s["cell"]),
            Paragraph(markup(str(r.shift.get_kind_display())), s["cell"]),
            f"{r.hours}",
        ]
        for r in rows
    ]
    grid = Table(table, colWidths=[28 * mm, 80 * mm, 40 * mm, 20 * mm], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), base_font().fontName),
                ("GRID", (0, 0), (-1, -1), 0.5, "#999999"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    body = _(
        "This is to certify that %(name)s, a registered volunteer of %(place)s, served "
        "%(hours)s hours of volunteer service from %(start)s to %(end)s, as listed below."
    ) % {
        "name": volunteer.name,
        "place": volunteer.region.name,
        "hours": total,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    story = [
        Paragraph(markup(_("Certificate of volunteer service hours")), s["h2"]),
        Paragraph(markup(_("Verification number: %(n)s") % {"n": number}), s["number"]),
        Paragraph(markup(body), s["indent"]),
        Paragraph(markup(_("Total hours: %(h)s") % {"h": total}), s["body"]),
        Spacer(1, 4 * mm),
        grid,
        Spacer(1, 10 * mm),
        Paragraph(markup(f"{volunteer.region.name}"), s["seal"]),
        Paragraph(markup(today.isoformat()), s["seal"]),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, initialFontName=base_font().fontName, title=number).build(
        story
    )
    return out.getvalue(), number
