"""Selectors for the openness pages and the matter page's panel."""

from __future__ import annotations

from django.db.models import Avg, Case, Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.masking import mask_name

from .. import members
from ..choices import MatterState, ObjectionState
from ..models import Implementation, Objection, Progress, Publication, Rating
from .services import (
    FINISHED,
    OPEN_TASK,
    PLANNABLE,
    held,
    may_report,
    running,
    village_staff,
)


def objector_name(objection, *, committee: bool, viewer) -> str:
    """The objector as shown: in full to the committee and to themselves, masked to
    anyone else."""
    author = objection.author
    if author is None:
        return "—"
    full = author.display_name or author.username
    if committee or (viewer is not None and viewer.pk == author.pk):
        return full
    return mask_name(author.display_name) or "*"


def photo_links(update) -> list[dict]:
    return [
        {
            "full": reverse("deliberation:progress_photo", args=[update.pk, n]),
            "thumb": reverse("deliberation:progress_photo", args=[update.pk, n]) + "?thumb=1",
        }
        for n in range(len(update.photos or []))
    ]


def publication_view(publication, user, *, today, committee: bool) -> dict:
    objections = [
        {
            "objection": o,
            "author": objector_name(o, committee=committee, viewer=user),
            "answered": o.state == ObjectionState.ANSWERED,
            "mine": user is not None and o.author_id == user.pk,
        }
        for o in publication.objections.select_related("author")
    ]
    me = members.villager(user, on=today) if user is not None else None
    has_open = any(r["mine"] and not r["answered"] for r in objections)
    return {
        "publication": publication,
        "running": running(publication, today=today),
        "objections": objections,
        "may_object": bool(
            me
            and me.adult
            and me.region_id == publication.region_id
            and running(publication, today=today)
            and not has_open
        ),
        "may_answer": committee,
    }


def task_view(task, user, *, today, committee: bool, updates=None) -> dict:
    updates = list(task.updates.select_related("by")) if updates is None else updates
    return {
        "task": task,
        "late": task.state in OPEN_TASK and task.due_on < today,
        "updates": [{"update": u, "photos": photo_links(u)} for u in updates],
        "may_report": task.state not in FINISHED and may_report(user, task),
        "may_stop": committee and task.state not in FINISHED,
    }


def matter_panel(matter, user) -> dict:
    """What the matter page shows of its publications, objections, implementations,
    progress and ratings, and what this user may do there (the template
    ``deliberation/openness/_matter_panel.html`` reads it as ``openness``)."""
    today = timezone.localdate()
    committee = bool(user and members.is_committee(user, matter.region_path))
    publications = [
        publication_view(p, user, today=today, committee=committee)
        for p in matter.publications.order_by("starts_on", "id")
    ]
    tasks = list(matter.implementations.select_related("owner").order_by("due_on", "id"))
    updates: dict[int, list] = {t.pk: [] for t in tasks}
    for u in Progress.objects.filter(implementation__in=tasks).select_related("by"):
        updates[u.implementation_id].append(u)
    ratings = Rating.objects.filter(matter=matter).aggregate(avg=Avg("stars"), n=Count("id"))
    mine = (
        Rating.objects.filter(matter=matter, user=user).first()
        if user is not None and user.is_authenticated
        else None
    )
    me = members.villager(user, on=today) if user is not None else None
    budgeted = sum(held(t) for t in tasks)
    return {
        "matter": matter,
        "publications": publications,
        "tasks": [
            task_view(t, user, today=today, committee=committee, updates=updates[t.pk])
            for t in tasks
        ],
        "rating_average": round(ratings["avg"], 1) if ratings["avg"] is not None else None,
        "rating_count": ratings["n"],
        "my_rating": mine,
        "committee": committee,
        "may_add_task": committee and matter.state in PLANNABLE,
        "owners": list(village_staff(matter.region_id)) if committee else [],
        "budget_left": (matter.budget - budgeted) if matter.budget is not None else None,
        "may_rate": bool(
            me and me.region_id == matter.region_id and matter.state == MatterState.DONE
        )
        and mine is None,
    }


def implementations(user, *, today=None):
    """The committee's (or the township's) tasks, late ones first, then by due date."""
    today = today or timezone.localdate()
    return (
        Implementation.objects.visible_to(user)
        .select_related("matter", "region")
        .annotate(
            is_late=Case(
                When(Q(state__in=OPEN_TASK, due_on__lt=today), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-is_late", "due_on", "id")
    )


def publications(user):
    return Publication.objects.visible_to(user).select_related("matter", "region")


def open_objections(publication):
    return Objection.objects.filter(publication=publication, state=ObjectionState.OPEN)
