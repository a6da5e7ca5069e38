"""A closed meeting's minutes (会议记录) as an A4 PDF, in the project's CJK face
(``gongzhi.mediation.printing``): the village, kind, title, time and place; the agenda;
the sign-in figures against the quorum rule (counts only: who of the register came, never
the names of ordinary villagers); each vote's tally and outcome; the minutes; the clerk.
Free text is masked as on the public page (phone and ID numbers, residents' names)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict

from ..choices import MeetingState, QuorumBasis
from .actions import present_for_decision
from .quorum import threshold

CLOSED = (MeetingState.CLOSED, MeetingState.INQUORATE)


def check_minutes(meeting) -> None:
    if meeting.state not in CLOSED:
        raise Conflict("not_closed", _("The minutes can be downloaded once the meeting is closed."))


def _share(num: int, den: int, strict: bool) -> str:
    kind = _("more than") if strict else _("at least")
    return f"{kind} {num}/{den}"


def _figures(meeting) -> list[tuple[str, str]]:
    """(label, value) rows: the register as the session opened, those signed in, and the
    quorum and decision rules with the figures that met (or missed) them."""
    rule = meeting.rule
    basis = QuorumBasis(rule.basis).label
    rows = [(_("Rule"), f"{rule.name}{' · ' + rule.law if rule.law else ''}")]
    if rule.basis == QuorumBasis.NONE:
        rows.append((_("Quorum"), _("No quorum is required.")))
    else:
        rows.append(
            (
                _("Quorum"),
                _("%(share)s of %(basis)s")
                % {
                    "share": _share(rule.quorum_num, rule.quorum_den, rule.quorum_strict),
                    "basis": basis,
                },
            )
        )
        if rule.alt_basis and rule.alt_basis != QuorumBasis.NONE and rule.alt_num and rule.alt_den:
            rows.append(
                (
                    _("or"),
                    _("%(share)s of %(basis)s")
                    % {
                        "share": _share(rule.alt_num, rule.alt_den, rule.alt_strict),
                        "basis": QuorumBasis(rule.alt_basis).label,
                    },
                )
            )
        rows.append((_("Entitled to attend"), f"{meeting.eligible} ({basis})"))
    rows += [
        (_("Households on the register"), str(meeting.eligible_households)),
        (
            _("Signed in"),
            _("%(people)d people from %(households)d households")
            % {"people": meeting.present, "households": meeting.present_households},
        ),
        (_("Needed for a quorum"), str(meeting.quorum_needed)),
        (
            _("Quorate"),
            {True: _("Yes"), False: _("No"), None: "—"}[meeting.quorate],
        ),
    ]
    if meeting.quorum_note:
        rows.append((_("Quorum check"), meeting.quorum_note))
    present = present_for_decision(meeting)
    needed = threshold(present, rule.decision_num, rule.decision_den, strict=rule.decision_strict)
    rows.append(
        (
            _("A decision needs"),
            _("%(share)s of those present (%(present)d): %(needed)d votes for")
            % {
                "share": _share(rule.decision_num, rule.decision_den, rule.decision_strict),
                "present": present,
                "needed": needed,
            },
        )
    )
    return rows


def pdf(meeting) -> bytes:
    """The minutes of a closed meeting (``check_minutes`` first), as PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from gongzhi.mediation.printing import BOTTOM, LEFT, RIGHT, TOP, base_font, grid, markup, styles
    from gongzhi.people.members import public_text

    check_minutes(meeting)
    clean = public_text(meeting.region)

    s = styles()

    def p(text, style="body"):
        return Paragraph(markup(text), s[style])

    def local(moment) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"

    story = [
        p(f"{meeting.region.name} · {meeting.get_kind_display()}", "committee"),
        p(_("Minutes of the meeting"), "center"),
        p(clean(meeting.title), "center"),
        p(_("No. %(n)s") % {"n": meeting.number}, "number"),
        grid(
            [
                [p(label, "cell"), p(value, "cell")]
                for label, value in (
                    (_("Time"), local(meeting.starts_at)),
                    (_("Place"), clean(meeting.place)),
                    (_("State"), str(meeting.get_state_display())),
                    (_("Meeting closed at"), local(meeting.closed_at)),
                )
            ],
            [34 * mm, None],
        ),
        p(_("Attendance and quorum"), "h2"),
        grid([[p(k, "cell"), p(v, "cell")] for k, v in _figures(meeting)], [34 * mm, None]),
        p(_("Agenda and votes"), "h2"),
    ]
    items = list(meeting.items.order_by("order", "id"))
    if items:
        head = [
            _("Item no."),
            _("Item"),
            _("For"),
            _("Against"),
            _("Abstained"),
            _("Result of the vote"),
        ]
        rows = [[p(h, "cell") for h in head]]
        for n, item in enumerate(items, start=1):
            tally = (
                [str(item.votes_for), str(item.votes_against), str(item.votes_abstain)]
                if item.needs_vote
                else ["—", "—", "—"]
            )
            rows.append(
                [p(str(n), "cell"), p(clean(item.title), "cell")]
                + [p(t, "cell") for t in tally]
                + [p(str(item.get_outcome_display()), "cell")]
            )
        story.append(grid(rows, [13 * mm, None, 14 * mm, 14 * mm, 14 * mm, 32 * mm], header=True))
    else:
        story.append(p(_("Nothing was on the agenda.")))
    story.append(p(_("Minutes"), "h2"))
    for block in clean(meeting.minutes).strip().split("\n\n") or [""]:
        story.append(Paragraph("<br/>".join(map(markup, block.splitlines())) or "—", s["indent"]))
    clerk = meeting.minutes_by
    story += [
        Spacer(1, 8 * mm),
        p(
            _("Minutes taken by: %(name)s")
            % {"name": (clerk.display_name or clerk.username) if clerk else "—"},
            "sign",
        ),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        initialFontName=base_font().fontName,
        title=meeting.number,
        # The printing module's margins: its ``grid`` widths are taken of that text width.
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
    ).build(story)
    return out.getvalue()
