"""知识库: the hotline's answers to common questions.

The operator searches them while the caller is on the line (the hotline form and the case
page, as they type): character bigrams of the question against each answer's question and
text (``triage.duplicates.bigrams``, the duplicate finder's own measure, robust to
rewording), among the enabled answers for the chosen category (or any) and the caller's
place (or everywhere), best first, the most used first among equals. Picking one fills the
answer and counts one more use when the case is answered (``workflow.actions.answer``).
A case answered directly can be saved as a new answer in one click (``do_save``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import HOTLINE_ROLES, roles_of
from gongzhi.cases.choices import State
from gongzhi.cases.models import Answer, Case
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.taxonomy.models import Category
from gongzhi.triage.duplicates import bigrams

LIMIT = 8
CANDIDATES = 2000  # a hotline's knowledge base holds hundreds of answers, not millions


@dataclass
class Found:
    entry: Answer
    score: float


def _ancestor_paths(path: str) -> list[str]:
    codes = [c for c in (path or "").strip("/").split("/") if c]
    return ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]


def candidates(*, category: Category | None = None, region_path: str = ""):
    """The enabled answers that may apply: for the category or one above it (or any), and
    for the place or a region above it (or everywhere)."""
    rows = Answer.objects.filter(enabled=True)
    if category is not None:
        rows = rows.filter(
            Q(category__isnull=True) | Q(category__path__in=_ancestor_paths(category.path))
        )
    if region_path:
        rows = rows.filter(
            Q(region__isnull=True) | Q(region__path__in=_ancestor_paths(region_path))
        )
    else:
        rows = rows.filter(region__isnull=True)
    return rows


def search(
    q: str, *, category: Category | None = None, region_path: str = "", limit: int = LIMIT
) -> list[Found]:
    """The answers that best match the question ``q``, best first."""
    wanted = bigrams((q or "")[:200])
    if not wanted or len((q or "").strip()) < 2:
        return []
    found = []
    rows = candidates(category=category, region_path=region_path).select_related("category")
    for entry in rows.order_by("-times_used", "id")[:CANDIDATES]:
        asked = bigrams(entry.question)
        said = bigrams(entry.answer[:800])
        # The share of the typed bigrams found: a short question matches a long answer.
        score = max(len(wanted & asked), 0.6 * len(wanted & said)) / len(wanted)
        if score >= 0.25:
            found.append(Found(entry, round(score, 3)))
    found.sort(key=lambda f: (-f.score, -f.entry.times_used, f.entry.pk))
    return found[:limit]


def check_may_use(user) -> None:
    if not roles_of(user) & HOTLINE_ROLES:
        raise NotAllowed("not_permitted", _("Only call takers use the knowledge base."))


def entry(pk) -> Answer | None:
    text = str(pk or "")
    if not text.isdigit() or not 0 < int(text) <= 2**31 - 1:
        return None
    return Answer.objects.filter(pk=int(text), enabled=True).first()


def check_save(*, case: Case, user) -> None:
    check_may_use(user)
    if case.state != State.ANSWERED or not case.result.strip():
        raise ServiceError(
            "not_answered", _("Only a case answered directly can be saved as an answer.")
        )


def do_save(*, case: Case, user) -> tuple[Answer, bool]:
    """Save a case's direct answer to the knowledge base (its title as the question, for its
    category, everywhere); once per case. Returns (answer, created)."""
    check_save(case=case, user=user)
    existing = Answer.objects.filter(source_case=case).first()
    if existing is not None:
        return existing, False
    saved = Answer.objects.create(
        question=case.title[:200],
        answer=case.result,
        category=case.category,
        source_case=case,
        created_by=user,
    )
    return saved, True
