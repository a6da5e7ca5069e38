"""Legal aid as one table on the core engine (``gongzhi.core.workflow``).

submitted → (the reviewer asks once for all missing documents → awaiting documents → the
applicant supplies them → under review; no answer in time: withdrawn by the tick) → the
director grants or refuses (in writing, with the reason) within 7 working days of receipt,
the time awaiting documents not counted → granted → a lawyer assigned within 3 working days
→ assigned → progress → concluded, or terminated (art. 48) → closed with its file → the
applicant rates it. A refusal may be objected to before the 司法局 (decided within 5 working
days: upheld, or aid ordered). An urgent matter may be granted first and reviewed after
(art. 44). The applicant may withdraw while it is undecided.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Role
from gongzhi.core.workflow import Workflow, rule, who

from ..models.aid import Application, ApplicationEvent
from . import actions, effects, relations
from .choices import State

S = State
ANYONE = tuple(Role.values)
APPLICANT = who("applies", *ANYONE)
OWNER = who("own", *ANYONE)
REVIEWER = who("reviews", Role.HANDLER, Role.LEADER)
DIRECTOR = who("directs", Role.LEADER)
LAWYER = who("represents", Role.LAWYER)
BUREAU = who("hears_objections", Role.HANDLER, Role.LEADER)
UNDECIDED = {S.SUBMITTED, S.AWAITING_DOCUMENTS, S.UNDER_REVIEW}
DECIDABLE = {S.SUBMITTED, S.UNDER_REVIEW, S.AWAITING_DOCUMENTS}

RULES = {
    "request_documents": rule(
        gettext_lazy("Ask for missing documents"),
        {S.SUBMITTED, S.UNDER_REVIEW},
        S.AWAITING_DOCUMENTS,
        [REVIEWER],
        actions.request_documents,
    ),
    "supply_documents": rule(
        gettext_lazy("Documents supplied"),
        {S.AWAITING_DOCUMENTS},
        S.UNDER_REVIEW,
        [APPLICANT, REVIEWER],
        actions.supply_documents,
    ),
    "lapse": rule(
        gettext_lazy("No answer in time: withdrawn"),
        {S.AWAITING_DOCUMENTS},
        S.WITHDRAWN,
        [],  # the platform only (the tick)
        actions.lapse,
    ),
    "mark_urgent": rule(
        gettext_lazy("Mark urgent"),
        UNDECIDED,
        None,
        [REVIEWER],
        actions.mark_urgent,
        public=False,
    ),
    # Refused (changing nothing) on an incomplete application: documents awaited, no pledge.
    "grant": rule(gettext_lazy("Grant aid"), DECIDABLE, S.GRANTED, [DIRECTOR], actions.grant),
    "refuse": rule(gettext_lazy("Refuse aid"), DECIDABLE, S.REFUSED, [DIRECTOR], actions.refuse),
    "grant_first": rule(
        gettext_lazy("Grant aid first (urgent)"),
        UNDECIDED,
        S.GRANTED,
        [DIRECTOR],
        actions.grant_first,
    ),
    "review_advance": rule(
        gettext_lazy("Complete the review"),
        {S.GRANTED, S.ASSIGNED},
        {"confirmed": None, "revoked": S.TERMINATED},
        [DIRECTOR],
        actions.review_advance,
    ),
    "object": rule(
        gettext_lazy("Object to the refusal"), {S.REFUSED}, S.OBJECTED, [APPLICANT], actions.object_
    ),
    "uphold": rule(
        gettext_lazy("Uphold the refusal"), {S.OBJECTED}, S.REFUSED, [BUREAU], actions.uphold
    ),
    "order_aid": rule(
        gettext_lazy("Order aid"), {S.OBJECTED}, S.GRANTED, [BUREAU], actions.order_aid
    ),
    "assign": rule(
        gettext_lazy("Assign a lawyer"), {S.GRANTED}, S.ASSIGNED, [DIRECTOR], actions.assign
    ),
    "record_progress": rule(
        gettext_lazy("Record progress"),
        {S.ASSIGNED},
        None,
        [LAWYER, DIRECTOR],
        actions.record_progress,
    ),
    "terminate": rule(
        gettext_lazy("Terminate aid"),
        {S.GRANTED, S.ASSIGNED},
        S.TERMINATED,
        [LAWYER, DIRECTOR],
        actions.terminate,
    ),
    "conclude": rule(
        gettext_lazy("Conclude the case"), {S.ASSIGNED}, S.CONCLUDED, [LAWYER], actions.conclude
    ),
    "close": rule(
        gettext_lazy("Close with the file"),
        {S.CONCLUDED, S.TERMINATED},
        S.CLOSED,
        [LAWYER, DIRECTOR],
        actions.close,
    ),
    "rate": rule(gettext_lazy("Rate the aid"), {S.CLOSED}, None, [OWNER], actions.rate),
    "withdraw": rule(
        gettext_lazy("Withdraw the application"),
        UNDECIDED,
        S.WITHDRAWN,
        [APPLICANT],
        actions.withdraw,
    ),
}


def _describe(application) -> dict:
    return {
        "type": application.matter_type.code if application.matter_type_id else None,
        "region": application.region_path,
        "urgent": application.urgent,
    }


def _publish(items) -> None:
    from gongzhi.notify import services as notify

    notify.publish_events(items)


FLOW = Workflow(
    name="legal_aid",
    model=Application,
    event_model=ApplicationEvent,
    subject="application",
    rules=RULES,
    relations=relations.PREDICATES,
    effects=effects.told_for,
    publish=_publish,
    describe=_describe,
    lock_related=("matter_type",),
    messages={
        "not_found": gettext_lazy("The application does not exist."),
        "changed": gettext_lazy(
            "This application was changed by someone else in the meantime (it is now "
            "“%(state)s”). Reload the page and try again."
        ),
        "not_in_state": gettext_lazy(
            "“%(action)s” is not possible while the application is “%(state)s”."
        ),
        "not_permitted": gettext_lazy("You may not do “%(action)s” on this application."),
    },
)


def transition(*, application_id, action: str, actor, **kwargs) -> Application:
    return FLOW.transition(pk=application_id, action=action, actor=actor, **kwargs)
