"""Legal advice: ask, answer (and publish to the knowledge base), pass to the duty lawyer,
rate; and the periodic ``tick`` (reminders before the deadline, overdue questions rerouted
to the duty lawyer, then escalated to the county's legal-aid centre).

Keyword-only ``check_*``/``do_*``; problems raise ``ServiceError`` with a Chinese-ready
message. Notices go out after commit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import media
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.core.workdays import WORKDAYS, add_working_days, deadline
from gongzhi.notify.services import notify, notify_organisation_heads
from gongzhi.regions.models import RegionLevel, county_path

from ..models import KnowledgeEntry, Question, ResidentProfile
from . import anonymise, routing, search
from .choices import QuestionState, Route

MIN_TEXT, MAX_TEXT = 10, 2000
MAX_ANSWER = 5000


def reply_workdays() -> int:
    """Working days a lawyer has to answer (setting ``LEGAL_ADVICE_REPLY_WORKDAYS``)."""
    return int(getattr(settings, "LEGAL_ADVICE_REPLY_WORKDAYS", 2))


def rerouted_workdays() -> int:
    return int(getattr(settings, "LEGAL_ADVICE_REROUTED_WORKDAYS", 1))


def _link(question) -> str:
    return reverse("legal:question", args=[question.pk])


def _after_commit(**kwargs) -> None:
    transaction.on_commit(lambda: notify(**kwargs))


# -- ask -----------------------------------------------------------------------------------


def home_village(user):
    profile = ResidentProfile.objects.filter(user=user).select_related("region").first()
    return profile.region if profile and profile.region_id else None


def check_ask(*, user, text: str, region=None, photo=None) -> dict:
    errors = []
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        errors.append(
            ServiceError(
                "text_short",
                _("Please describe your question in at least %(n)d characters.") % {"n": MIN_TEXT},
                "text",
            )
        )
    elif len(text) > MAX_TEXT:
        errors.append(
            ServiceError(
                "text_long",
                _("A question may have at most %(n)d characters.") % {"n": MAX_TEXT},
                "text",
            )
        )
    region = region or home_village(user)
    if region is None:
        errors.append(
            ServiceError("region_missing", _("Choose your village or community."), "region")
        )
    elif region.level != RegionLevel.COMMUNITY:
        errors.append(ServiceError("region_level", _("Choose a village or community."), "region"))
    image = None
    if photo:
        try:
            image = media.check_photo(photo)
        except ServiceError as error:
            error.field = "photo"
            errors.append(error)
    if errors:
        raise ServiceError.first_of(errors)
    lawyer, how = routing.route(region.path)
    if lawyer is None:
        raise ServiceError(
            "no_lawyer",
            _("No legal adviser or duty lawyer serves this place yet. Please call 12348."),
            "region",
        )
    return {"text": text, "region": region, "image": image, "lawyer": lawyer, "route": how}


def do_ask(*, user, text: str, region=None, photo=None, now=None) -> Question:
    checked = check_ask(user=user, text=text, region=region, photo=photo)
    now = now or timezone.now()
    region = checked["region"]
    with transaction.atomic():
        profile, _created = ResidentProfile.objects.get_or_create(user=user)
        if profile.region_id != region.pk:
            profile.region = region
            profile.save()
        question = Question(
            asker=user,
            region=region,
            region_path=region.path,
            text=checked["text"],
            lawyer=checked["lawyer"],
            route=checked["route"],
            asked_at=now,
            due_at=deadline(now, reply_workdays(), WORKDAYS),
        )
        question.save()
        if checked["image"] is not None:
            full, thumb = media.prepared(checked["image"], f"q{question.pk}")
            question.photo.save(full.name, full, save=False)
            question.photo_thumb.save(thumb.name, thumb, save=False)
            question.save(update_fields=["photo", "photo_thumb"])
        _after_commit(
            recipients=[question.lawyer],
            kind="legal.advice_asked",
            title=_("A legal question to answer"),
            body=question.text[:80],
            link=reverse("legal:advice_desk"),
        )
    return question


# -- the lawyer ----------------------------------------------------------------------------


def _question_for(*, user, question_id: int, lock=False) -> Question:
    qs = Question.objects.visible_to(user)
    if lock:
        qs = qs.select_for_update()
    question = qs.filter(pk=question_id).first()
    if question is None:
        raise NotFound("not_found", _("No such question."))
    return question


def check_answer(*, user, question: Question, answer: str) -> str:
    if question.lawyer_id != user.pk:
        raise NotAllowed("not_yours", _("This question is not routed to you."))
    if question.state != QuestionState.WAITING:
        raise ServiceError("answered", _("This question has already been answered."))
    answer = (answer or "").strip()
    if len(answer) < 10:
        raise ServiceError(
            "answer_short", _("Please write an answer of at least 10 characters."), "answer"
        )
    if len(answer) > MAX_ANSWER:
        raise ServiceError(
            "answer_long",
            _("An answer may have at most %(n)d characters.") % {"n": MAX_ANSWER},
            "answer",
        )
    return answer


def public_draft(question: Question) -> str:
    """The question as the knowledge base would show it, anonymised automatically: the
    lawyer reviews and edits it before publishing."""
    return anonymise.scrub_question(question)


def do_answer(
    *,
    user,
    question_id: int,
    answer: str,
    publish: bool = True,
    public_text: str | None = None,
    title: str = "",
    now=None,
) -> Question:
    """Answer a question routed to the user; with ``publish``, the anonymised question
    (``public_text`` as the lawyer edited it; the automatic draft, scrubbed again, when
    none) and the answer join the knowledge base."""
    now = now or timezone.now()
    with transaction.atomic():
        question = _question_for(user=user, question_id=question_id, lock=True)
        answer = check_answer(user=user, question=question, answer=answer)
        question.answer = answer
        question.answered_at = now
        question.answered_by = user
        question.state = QuestionState.ANSWERED
        question.save(update_fields=["answer", "answered_at", "answered_by", "state", "updated_at"])
        if publish:
            do_publish(question=question, public_text=public_text, title=title, now=now)
        _after_commit(
            recipients=[question.asker],
            kind="legal.advice_answered",
            title=_("Your legal question has been answered"),
            body=answer[:80],
            link=_link(question),
        )
    return question


def do_publish(*, question: Question, public_text: str | None = None, title: str = "", now=None):
    """Add an answered question to the knowledge base (the text scrubbed once more: what
    the lawyer typed is checked by the same patterns)."""
    body = anonymise.scrub(
        (public_text or "").strip() or public_draft(question),
        known=anonymise.known_of(question.asker),
        places=anonymise.places_below_county(question.region),
    )
    county = county_path(question.region_path)
    entry, _created = KnowledgeEntry.objects.update_or_create(
        question=question,
        defaults={
            "title": (title.strip() or body[:40]).strip()[:120],
            "body": body,
            "answer": anonymise.scrub(question.answer, known=anonymise.known_of(question.asker)),
            "county_path": county,
            "published": True,
            "published_at": now or timezone.now(),
        },
    )
    transaction.on_commit(search.clear_cache)  # a new entry's terms are no longer unknown
    return entry


def do_pass_to_duty(*, user, question_id: int, now=None) -> Question:
    """The lawyer hands a question to the county centre's lawyer on duty (the deadline
    stays)."""
    with transaction.atomic():
        question = _question_for(user=user, question_id=question_id, lock=True)
        if question.lawyer_id != user.pk:
            raise NotAllowed("not_yours", _("This question is not routed to you."))
        if question.state != QuestionState.WAITING:
            raise ServiceError("answered", _("This question has already been answered."))
        duty = routing.duty_lawyer(question.region_path, now=now, exclude=user)
        if duty is None:
            raise ServiceError("no_duty", _("No other lawyer is on the duty roster."))
        question.lawyer = duty
        question.route = Route.PASSED
        question.save(update_fields=["lawyer", "route", "updated_at"])
        _after_commit(
            recipients=[duty],
            kind="legal.advice_passed",
            title=_("A legal question passed on to you"),
            body=question.text[:80],
            link=reverse("legal:advice_desk"),
        )
    return question


# -- the asker -----------------------------------------------------------------------------


def do_rate(*, user, question_id: int, rating: int, note: str = "") -> Question:
    with transaction.atomic():
        question = _question_for(user=user, question_id=question_id, lock=True)
        if question.asker_id != user.pk:
            raise NotAllowed("not_asker", _("Only the person who asked may rate the answer."))
        if question.state != QuestionState.ANSWERED:
            raise ServiceError("not_answered", _("The question has not been answered yet."))
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            raise ServiceError("rating", _("Choose from 1 to 5 stars."), "rating")
        question.rating = rating
        question.rating_note = (note or "").strip()[:300]
        question.save(update_fields=["rating", "rating_note", "updated_at"])
    return question


# -- the periodic tick ---------------------------------------------------------------------


def tick(*, now=None) -> dict:
    """Remind the lawyer one working day before the deadline; reroute an overdue question
    to the duty lawyer (with a new, shorter deadline) and tell the asker; escalate a
    question overdue again to the county legal-aid centre's head."""
    now = now or timezone.now()
    done = {"reminded": 0, "rerouted": 0, "escalated": 0}
    waiting = Question.objects.waiting().select_related("lawyer")
    for question in waiting.filter(reminded_at__isnull=True, due_at__gt=now):
        if add_working_days(question.due_at, -1) <= now:
            Question.objects.filter(pk=question.pk).update(reminded_at=now)
            notify(
                recipients=[question.lawyer] if question.lawyer else [],
                kind="legal.advice_due",
                title=_("A legal question is due soon"),
                body=question.text[:80],
                link=reverse("legal:advice_desk"),
            )
            done["reminded"] += 1
    for question in waiting.filter(due_at__lte=now):
        with transaction.atomic():
            question = Question.objects.select_for_update().get(pk=question.pk)
            if question.state != QuestionState.WAITING or question.due_at > now:
                continue
            if question.route != Route.OVERDUE:
                duty = routing.duty_lawyer(question.region_path, now=now, exclude=question.lawyer)
                if duty is not None:
                    before = question.lawyer
                    question.lawyer = duty
                    question.route = Route.OVERDUE
                    question.due_at = deadline(now, rerouted_workdays(), WORKDAYS)
                    question.reminded_at = None
                    question.save()
                    link = reverse("legal:advice_desk")
                    _after_commit(
                        recipients=[duty],
                        kind="legal.advice_rerouted",
                        title=_("An overdue legal question passed to you"),
                        body=question.text[:80],
                        link=link,
                    )
                    if before is not None:
                        _after_commit(
                            recipients=[before],
                            kind="legal.advice_rerouted",
                            title=_("An overdue question went to the lawyer on duty"),
                            body=question.text[:80],
                            link=link,
                        )
                    done["rerouted"] += 1
                    continue
            if question.escalated_at is None:
                question.escalated_at = now
                question.save(update_fields=["escalated_at"])
                centre = routing.county_centre(question.region_path)
                if centre is not None and centre.organisation_id:
                    org = centre.organisation
                    transaction.on_commit(
                        lambda org=org, q=question: notify_organisation_heads(
                            organisation=org,
                            kind="legal.advice_overdue",
                            title=_("A legal question is overdue"),
                            body=q.text[:80],
                            link=_link(q),
                        )
                    )
                done["escalated"] += 1
    return done
