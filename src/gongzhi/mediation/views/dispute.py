"""The dispute page: facts, parties (masked, revealed on request and audited), risk, level,
sessions, agreement, timeline, and the forms of the actions the viewer may take now — the
workflow's table decides which (``FLOW.allowed_actions``).

Free text (title, facts, claims, notes, the agreement) is shown scrubbed as the API shows it
(``services.scrubber``: the parties' data and any phone or ID number masked); the reveal
shows it as written, so far as the viewer's role may unmask, audited with the parties."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts import masking
from gongzhi.accounts.roles import roles_of
from gongzhi.accounts.services import unmaskable_kinds
from gongzhi.core.errors import ServiceError

from .. import levels, services
from ..choices import AgreementForm, Confirmation, Level, Risk, Side, Source, State
from ..forms import action_params, mediators_of
from ..models import Dispute, Obligation, Party
from ..workflow import FLOW, RULES
from .common import BOARD_ROLES, WORKBENCH_ROLES, dispute_or_404, page


@dataclass
class ActionForm:
    """One action the viewer may take now, with what its form needs."""

    name: str
    label: str
    kind: str = "normal"  # normal | primary | danger
    extra: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"mediation/actions/{self.name}.html"


ACTION_KIND = {
    "accept": "primary",
    "start": "primary",
    "record_session": "primary",
    "settle": "primary",
    "check_performance": "primary",
    "close": "primary",
    "decline": "danger",
    "fail": "danger",
    "withdraw": "danger",
}
# Entries the platform writes itself, which are no action of the table.
OTHER_ENTRIES = {
    "register": gettext_lazy("Registered"),
    "upload_signed": gettext_lazy("Signed agreement uploaded"),
    "performance_due": gettext_lazy("Mediator asked to check performance"),
}


def _local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _person(user) -> str:
    return f"{user.masked_name} ({user.username})" if user.display_name else user.username


def _obligation_rows(posted) -> list[dict]:
    """The obligations as typed, when the settlement was refused; else one empty row."""
    keys = ("party", "what", "how", "due_on")
    columns = [posted.getlist(f"obligation_{k}") for k in keys] if posted else []
    rows = [dict(zip(keys, values, strict=False)) for values in zip(*columns, strict=False)]
    return rows or [{}]


def _action_forms(dispute, user, posted, scrub) -> list[ActionForm]:
    forms = []
    agreement = getattr(dispute, "agreement", None)
    for name in FLOW.allowed_actions(dispute, user):
        form = ActionForm(name, str(RULES[name].label), ACTION_KIND.get(name, "normal"))
        if name in ("start", "recuse"):
            people = [
                (m.pk, _person(m))
                for m in mediators_of(dispute)
                if name == "start" or m.pk != dispute.lead_mediator_id
            ]
            form.extra = {"mediators": people, "me": user.pk}
        elif name == "record_session":
            form.extra = {"now": _local_input(timezone.now())}
        elif name == "settle":
            form.extra = {"forms": AgreementForm.choices, "rows": _obligation_rows(posted)}
        elif name == "check_performance":
            due = agreement.obligations.filter(status=Obligation.Status.DUE) if agreement else []
            form.extra = {
                "obligations": [
                    {"pk": o.pk, "party": scrub(o.party), "what": scrub(o.what), "due_on": o.due_on}
                    for o in due
                ]
            }
        elif name == "confirmation":
            if agreement is None or agreement.form != AgreementForm.WRITTEN:
                continue
            if not agreement.confirmation:
                statuses = [Confirmation.APPLIED]
            elif agreement.confirmation == Confirmation.APPLIED:
                statuses = [Confirmation.CONFIRMED, Confirmation.REFUSED]
            else:
                continue  # decided: nothing more to record
            form.extra = {"statuses": [(s.value, s.label) for s in statuses]}
        elif name == "escalate":
            above = levels.levels_above(dispute.level)
            if not above:
                continue
            form.extra = {"to": Level.label_of(above[0])}
        elif name == "judge_risk":
            form.extra = {"risks": [(r.value, r.label) for r in Risk.ordered()]}
        forms.append(form)
    return forms


def _parties(parties, scrub) -> list[dict]:
    return [
        {
            "party": p,
            "side": Side.label_of(p.side),
            "masked": {f: masking.masked_value(p, f) for f in Party.sensitive_fields},
            "claims": scrub(p.claims),
        }
        for p in parties
    ]


def _sessions(dispute, scrub) -> list[dict]:
    return [
        {
            "session": s,
            "place": scrub(s.place),
            "attendees": scrub(s.attendees),
            "summary": scrub(s.summary),
            "next_step": scrub(s.next_step),
        }
        for s in dispute.sessions.select_related("recorded_by")
    ]


def _obligations(agreement, scrub) -> list[dict]:
    if agreement is None:
        return []
    return [
        {
            "obligation": o,
            "party": scrub(o.party),
            "what": scrub(o.what),
            "how": scrub(o.how),
            "check_note": scrub(o.check_note),
        }
        for o in agreement.obligations.all()
    ]


DETAIL_KEYS = {
    "level": (gettext_lazy("Level"), Level.label_of),
    "to": (gettext_lazy("Moved to"), Level.label_of),
    "risk": (gettext_lazy("Risk"), Risk.label_of),
    "repeat_of": (gettext_lazy("Repeat of"), str),
    "agreement": (gettext_lazy("Agreement"), str),
    "lead": (gettext_lazy("Lead mediator"), str),
}


def _timeline(dispute, scrub) -> list[dict]:
    events = dispute.events.select_related("actor", "actor_organisation").order_by("at", "id")
    rows = []
    for e in events:
        rule = RULES.get(e.action)
        details = [
            (label, scrub(str(show(e.data[key]))))
            for key, (label, show) in DETAIL_KEYS.items()
            if isinstance(e.data, dict) and e.data.get(key)
        ]
        rows.append(
            {
                "event": e,
                "label": rule.label if rule else OTHER_ENTRIES.get(e.action, e.action),
                "moved": bool(e.to_state and e.from_state != e.to_state),
                "from": State.label_of(e.from_state) if e.from_state else "",
                "to": State.label_of(e.to_state) if e.to_state else "",
                "details": details,
                "note": scrub(e.note),
            }
        )
    return rows


def _can_reveal(user) -> bool:
    return bool(unmaskable_kinds(user) & set(Party.sensitive_fields.values()))


def _may_print(user, dispute) -> bool:
    """Whether the agreement's print and upload are offered (documents decides, if there)."""
    try:
        from ..documents import may_handle
    except ImportError:
        return False
    return may_handle(user, dispute)


def _back(roles) -> str:
    if roles & WORKBENCH_ROLES:
        return reverse("mediation:workbench")
    if roles & BOARD_ROLES:
        return reverse("mediation:board")
    return ""


def _context(request, dispute, *, error=None, error_action=None) -> dict:
    user = request.user
    visible = Dispute.objects.visible_to(user)
    agreement = getattr(dispute, "agreement", None)
    parties = list(dispute.parties.all())
    scrub = services.scrubber(parties)
    posted = request.POST if error_action == "settle" else None
    return {
        "dispute": dispute,
        "title": scrub(dispute.title),
        "facts": scrub(dispute.facts),
        "decline_reason": scrub(dispute.decline_reason),
        "outcome_note": scrub(dispute.outcome_note),
        "risk_reasons": [scrub(str(r)) for r in dispute.risk_reasons or []],
        "source": Source.label_of(dispute.source),
        "parties": _parties(parties, scrub),
        "can_reveal": _can_reveal(user),
        "repeat_visible": bool(
            dispute.repeat_of_id and visible.filter(pk=dispute.repeat_of_id).exists()
        ),
        "repeats": list(visible.filter(repeat_of=dispute).only("number", "title", "state")),
        "helpers": list(dispute.helpers.all()),
        "sessions": _sessions(dispute, scrub),
        "agreement": agreement,
        "disputed_matters": scrub(agreement.disputed_matters) if agreement else "",
        "obligations": _obligations(agreement, scrub),
        "may_print": agreement is not None and _may_print(user, dispute),
        "timeline": _timeline(dispute, scrub),
        "actions": _action_forms(dispute, user, posted, scrub),
        "error": error,
        "error_action": error_action,
        "posted": request.POST if error is not None else {},
        "back_url": _back(roles_of(user)),
        "now": timezone.now(),
    }


@login_required
@require_GET
def detail(request, number):
    dispute = dispute_or_404(request.user, number)
    return page(request, "mediation/detail.html", _context(request, dispute))


@login_required
@require_POST
def act(request, number, action):
    dispute = dispute_or_404(request.user, number)
    try:
        expected = request.POST.get("expected_state") or None
        # Refused or stale before its input is read: a 403 or 409 says so, not a form error.
        services.check_transition(
            dispute=dispute, action=action, actor=request.user, expected_state=expected
        )
        services.do_transition(
            dispute=dispute,
            action=action,
            actor=request.user,
            expected_state=expected,
            **action_params(action, request.POST, dispute),
        )
    except ServiceError as error:
        dispute = dispute_or_404(request.user, number)  # as it is now: nothing was changed
        context = _context(request, dispute, error=error, error_action=action)
        return page(request, "mediation/detail.html", context, status=error.status)
    messages.success(request, _("Done: %(action)s.") % {"action": RULES[action].label})
    if Dispute.objects.visible_to(request.user).filter(pk=dispute.pk).exists():
        return redirect(reverse("mediation:detail", args=[dispute.number]))
    return redirect(_back(roles_of(request.user)) or reverse("home"))


@login_required
@require_POST
def reveal(request, number):
    """The parties' real data and the free text as written, for a viewer whose role needs
    them (so far as it may unmask); every field audited."""
    dispute = dispute_or_404(request.user, number)
    fragment = bool(request.headers.get("HX-Request"))
    template = "mediation/_revealed.html" if fragment else "mediation/revealed.html"
    try:
        values = services.reveal_parties(viewer=request.user, dispute=dispute, request=request)
        texts = services.reveal_texts(viewer=request.user, dispute=dispute, request=request)
    except (PermissionDenied, ServiceError):
        response = page(request, template, {"dispute": dispute, "refused": True}, status=403)
        add_never_cache_headers(response)
        return response
    parties = {p.pk: p for p in dispute.parties.all()}
    rows = []
    for item in values:
        party = parties[item["id"]]
        fields = [
            (Party._meta.get_field(f).verbose_name, item[f])
            for f in Party.sensitive_fields
            if f in item
        ]
        rows.append({"side": Side.label_of(party.side), "fields": fields})
    texts["claims"] = [(Side.label_of(side), claims) for side, claims in texts["claims"]]
    response = page(request, template, {"dispute": dispute, "rows": rows, "texts": texts})
    add_never_cache_headers(response)
    return response
