"""The written decision (给予/不予法律援助决定书) on A4, in the face and layout of the
mediation agreement (``mediation.printing``): a refusal states its reason and where and
by when to object (法律援助法 art. 49), as the law asks that it be given in writing."""

from __future__ import annotations

import functools
import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.mediation.printing import (
    BOTTOM,
    LEFT,
    RIGHT,
    TOP,
    PagedCanvas,
    Seal,
    Title,
    grid,
    markup,
    space,
    styles,
)
from gongzhi.regions.models import path_prefixes

from ..staff import JUSTICE_FUNCTION


def units_for(application) -> tuple[str, str]:
    """(the legal-aid centre's name, the 司法局's name) serving the application's place."""
    served = Organisation.objects.filter(regions__path__in=path_prefixes(application.region_path))
    centre = served.filter(kind=OrganisationKind.LEGAL_AID_CENTRE).order_by("-path").first()
    bureau = (
        served.filter(kind=OrganisationKind.DEPARTMENT, function=JUSTICE_FUNCTION)
        .order_by("-path")
        .first()
    )
    return (
        centre.name if centre else "法律援助中心",
        bureau.name if bureau else "司法行政机关",
    )


def _date(value) -> str:
    day = timezone.localtime(value).date() if value else timezone.localdate()
    return f"{day.year}年{day.month}月{day.day}日"


def decision_pdf(application) -> bytes:
    """The decision on ``application`` (granted, or refused with its reason) as PDF bytes."""
    s = styles()

    def p(text, style="body"):
        return Paragraph(markup(text), s[style])

    centre, bureau = units_for(application)
    refused = bool(application.refusal_reason)
    title = "不予法律援助决定书" if refused else "给予法律援助决定书"
    story = [p(centre, "committee"), Title(title), p(f"编号：{application.number}", "number")]
    rows = [
        ("申请人", application.name),
        ("身份证号码", application.id_number or "——"),
        ("申请事项", application.matter_type.name if application.matter_type_id else "——"),
        ("对方当事人", application.opposing_party or "——"),
        ("申请日期", _date(application.received_at)),
    ]
    story.append(grid([[p(k, "cell"), p(v, "cell")] for k, v in rows], [30 * mm, None]))
    story.append(space(4 * mm))
    if refused:
        story += [
            p(
                f"经审查，你于{_date(application.received_at)}提出的法律援助申请，"
                "不符合法律援助条件，根据《中华人民共和国法律援助法》第四十三条的规定，"
                "决定不予法律援助。理由如下：",
                "indent",
            ),
            p(application.refusal_reason, "indent"),
            p(
                "如对本决定有异议，可以自收到本决定之日起十五日内向"
                f"{bureau}提出。{bureau}应当自收到异议之日起五个工作日内进行审查，"
                "作出维持或者责令改正的决定（《中华人民共和国法律援助法》第四十九条）。",
                "indent",
            ),
        ]
    else:
        story += [
            p(
                f"经审查，你于{_date(application.received_at)}提出的法律援助申请，"
                "符合法律援助条件，根据《中华人民共和国法律援助法》第四十三条的规定，"
                "决定给予法律援助。本中心将自本决定作出之日起三日内指派律师、基层法律服务"
                "工作者或者法律援助志愿者为你提供法律援助。",
                "indent",
            ),
            p(
                "受援人应当向法律援助人员如实陈述与法律援助事项有关的情况，及时提供证据材料，"
                "协助、配合办理法律援助事项；受援人以欺骗或者其他不正当手段获得法律援助的，"
                "将终止法律援助（《中华人民共和国法律援助法》第四十八条）。",
                "indent",
            ),
        ]
    story += [space(10 * mm), Seal([p(centre, "seal"), p(_date(application.decided_at), "seal")])]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=f"{title} {application.number}",
    )
    document.build(
        story,
        canvasmaker=functools.partial(PagedCanvas, footer="第 {page} 页 共 {pages} 页"),
    )
    return out.getvalue()
