"""Where cases meets triage: cases hand their reports to ``gongzhi.triage`` as plain data.

* ``check_assessments`` / ``record_assessments`` — intake's follow-up (``follow_up.py``)
  classifies a batch of new reports; one waits in the dispatcher's triage queue when the
  model is unsure or disagrees with the chosen category.
* ``check_decide`` / ``do_decide`` — a dispatcher confirms or changes the category; the
  choice is written on the case's timeline and kept as a training label.
* ``similar_open_cases`` — open cases ranked by the duplicate scorer, to offer a merge.
* ``do_offer_verdict``, ``record_merge``, ``record_support`` — every merge a person takes
  (an answer to an offer, a merge on the case page or through the API, a "me too" on the
  intake hint) is kept as a verdict: labelled data for the scorer's calibration.
* ``case_hotspots`` — hotspots over the cases a user may see, for a region and period.
* ``place_from_text`` — a hotline report with no GPS point is placed from its address.
* ``closed_case_records`` — training data for ``gongzhi triage train`` (named in settings,
  ``GONGZHI["TRIAGE_SOURCES"]``, so triage never imports cases).

Labels are category codes from the first level down, "/"-separated (``Category.path``).
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.cases.choices import OPEN_STATES, State
from gongzhi.cases.models import Case, CaseSupport
from gongzhi.cases.workflow import relations
from gongzhi.cases.workflow import table as workflow
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region
from gongzhi.taxonomy.models import Category
from gongzhi.triage import calibration, duplicates, hotspots, places
from gongzhi.triage import services as triage
from gongzhi.triage.classifier import Record
from gongzhi.triage.models import Assessment, MergeOffer

log = logging.getLogger(__name__)

DECIDERS = frozenset({Role.DISPATCHER})


def category_label(category: Category | None) -> str:
    return category.path.strip("/") if category else ""


def category_for_label(label: str) -> Category | None:
    codes = [c for c in (label or "").split("/") if c]
    return Category.objects.filter(code=codes[-1], enabled=True).first() if codes else None


# -- intake ----------------------------------------------------------------------------------
def check_assessments(cases: list[Case]) -> dict[str, dict]:
    """Classify new reports (no writes): case number → the assessment to record. A report
    triage cannot assess is left out: it must never lose a report, and the queue is there."""
    assessed = {}
    for case in cases:
        try:
            assessed[case.number] = triage.check_assess(
                title=case.title,
                text=f"{case.description} {case.address}".strip(),
                chosen=category_label(case.category),
            )
        except Exception:
            log.exception("triage could not assess case %s", case.number)
    return assessed


def record_assessments(assessed: dict[str, dict]) -> None:
    triage.do_assess_many(assessed)


# -- the dispatcher's decision ----------------------------------------------------------------
def check_decide(*, case: Case, category_id, actor) -> Category:
    scope = scope_for(actor)
    allowed = scope.everything or (
        scope.roles & DECIDERS and relations.holds("governs", actor, case, scope)
    )
    if not allowed:
        raise NotAllowed(
            "not_permitted", _("Only the dispatcher of this case may set its category.")
        )
    if case.state not in OPEN_STATES:
        raise ServiceError("case_closed", _("The category of a finished case cannot be changed."))
    category = (
        Category.objects.filter(pk=category_id, enabled=True).first() if category_id else None
    )
    if category is None:
        raise ServiceError("required", _("Please choose a category."), "category")
    return category


def do_decide(*, case: Case, category_id, actor) -> Case:
    """Confirm or change the category; timeline entry, assessment closed, training label."""
    category = check_decide(case=case, category_id=category_id, actor=actor)
    with transaction.atomic():
        # The category change is a workflow action: row lock and timeline entry as any other.
        locked = workflow.transition(
            case_id=case.pk, action="categorise", actor=actor, category=category
        )
        triage.do_decide(
            case_ref=locked.number,
            label=category_label(category),
            title=locked.title,
            text=f"{locked.description} {locked.address}".strip(),
            user=actor,
        )
    return locked


def queue(viewer):
    """Open cases waiting for a dispatcher's category, oldest first, with their assessment."""
    cases = list(
        Case.objects.visible_to(viewer)
        .filter(state__in=OPEN_STATES, number__in=triage.pending_refs())
        .select_related("category")
        .order_by("created_at")[:200]
    )
    found = {
        a.case_ref: a for a in Assessment.objects.filter(case_ref__in=[c.number for c in cases])
    }
    by_code = {c.code: c for c in Category.objects.filter(enabled=True)}
    rows = []
    for case in cases:
        a = found.get(case.number)
        ranked = (a.predictions if a else [])[:3]
        if ranked and any("words" not in p for p in ranked):
            # Assessed before the reasons were kept: ask the active model (~0.3 ms).
            words = triage.explain(
                case.title, f"{case.description} {case.address}".strip(),
                [p["label"] for p in ranked],
            )  # fmt: skip
            ranked = [{**p, "words": words.get(p["label"], [])} for p in ranked]
        preds = []
        for p in ranked:
            code = p["label"].split("/")[-1]
            if code in by_code:
                preds.append(
                    {
                        "category": by_code[code],
                        "confidence": p["confidence"],
                        "words": p.get("words") or [],
                    }
                )
        rows.append({"case": case, "assessment": a, "predictions": preds})
    return rows


def triage_figures(viewer, *, weeks: int = 8) -> list[dict]:
    """Per week: how often the viewer's dispatchers agreed with the suggested category, and
    the merge offers they accepted or rejected (over the cases the viewer may see)."""
    return triage.weekly_figures(refs=Case.objects.visible_to(viewer).values("number"), weeks=weeks)


# -- merge offers ---------------------------------------------------------------------------------
VERDICTS = frozenset({"merge", "reject"})


def check_offer_verdict(*, case: Case, into: str, verdict: str, actor) -> Case:
    """The offered case, if the actor may merge ``case`` and the verdict is one we know."""
    if verdict not in VERDICTS:
        raise ServiceError("bad_verdict", _("Choose to merge or to reject the offer."), "verdict")
    if "merge" not in workflow.allowed_actions(case, actor):
        raise NotAllowed("not_permitted", _("You may not merge this case."))
    number = (into or "").strip().upper()
    target = Case.objects.visible_to(actor).filter(number=number).first() if number else None
    if target is None or target.pk == case.pk:
        raise ServiceError("unknown_case", _("There is no case with that number."), "into")
    return target


def do_offer_verdict(
    *, case: Case, into: str, verdict: str, actor, expected_state: str | None = None
) -> Case:
    """Merge ``case`` into the offered case, or mark the offer "not the same problem" (it is
    no longer offered); either way the verdict is kept as a labelled pair."""
    from gongzhi.cases.workflow import services as transitions

    target = check_offer_verdict(case=case, into=into, verdict=verdict, actor=actor)
    with transaction.atomic():
        if verdict == "merge":
            # The merge itself records the pair (``record_merge``, as on the case page);
            # here it is only marked as the answer to an offer, not scored again.
            case = transitions.do_transition(
                case=case,
                action="merge",
                actor=actor,
                data={"into": target.number},
                expected_state=expected_state,
            )
            recorded = MergeOffer.objects.filter(case_ref=case.number, other_ref=target.number)
            if recorded.update(source="offer"):
                return case
        _record_pair(case, target, accepted=verdict == "merge", actor=actor, source="offer")
    return case


def _record_pair(case: Case, target: Case, *, accepted: bool, actor, source: str) -> None:
    found = duplicates.score_pair(
        as_record(case), as_record(target), calibration=calibration.current()
    )
    triage.do_record_merge_offer(
        case_ref=case.number,
        other_ref=target.number,
        accepted=accepted,
        candidate=found.as_dict(),
        features=found.features,
        title=case.title,
        text=case.description,
        other_title=target.title,
        other_text=target.description,
        user=actor,
        source=source,
    )


def record_merge(*, case: Case, actor, **_signal) -> None:
    """A merge taken by a person (the case page, the API, a merge offer): the pair is kept as
    a verdict, "merged", like an accepted offer. Called in the merge's transaction
    (``signals.case_merged``); a pair the scorer cannot read never stops the merge."""
    target = case.merged_into
    if target is None:
        return
    try:
        with transaction.atomic():
            _record_pair(case, target, accepted=True, actor=actor, source="case")
    except Exception:
        log.exception("could not record the merge of %s into %s", case.number, target.number)


def record_support(*, support, case: Case, title: str, text: str, lng=None, lat=None) -> None:
    """A "me too" from the intake hint: the reporter says what they were typing is the
    problem of ``case``. Kept as a verdict ("merged") on the pair of their words and the
    case, under the support's reference (``S`` and its number: the words never became a
    case). Without words there is no pair to learn from."""
    words = (text or "").strip()[:2000]
    if not words:
        return
    lng, lat = _coordinate(lng, -180, 180), _coordinate(lat, -90, 90)
    if lng is None or lat is None:
        lng = lat = None
    try:
        with transaction.atomic():
            _record_support(support, case, title, words, lng, lat)
    except Exception:
        log.exception("could not record the support of %s", case.number)


def _coordinate(value, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def _record_support(support, case: Case, title: str, words: str, lng, lat) -> None:
    query = {
        "id": None,
        "title": (title or words)[:120],
        "text": words,
        "lng": lng,
        "lat": lat,
        "time": support.created_at or timezone.now(),
        "category": category_label(case.category),
    }
    found = duplicates.score_pair(query, as_record(case), calibration=calibration.current())
    triage.do_record_merge_offer(
        case_ref=f"S{support.pk}",
        other_ref=case.number,
        accepted=True,
        candidate=found.as_dict(),
        features=found.features,
        title=query["title"],
        text=words,
        other_title=case.title,
        other_text=case.description,
        user=support.user,
        source="hint",
    )


# -- duplicates ---------------------------------------------------------------------------------
def as_record(case: Case) -> dict:
    return {
        "id": case.number,
        "title": case.title,
        "text": case.description,
        "lng": case.lng,
        "lat": case.lat,
        "time": case.created_at,
        "category": category_label(case.category),
    }


def similar_open_cases(
    *, case: Case, viewer, days: int = 30, radius_m: float = 2000, limit=10, rejected=None
):
    """Open cases of the viewer's scope that may report the same problem, best first.
    ``rejected``: the numbers a dispatcher said are another problem (read when not given).

    Candidates: open, reported within ``days`` of this case, and either within
    ``radius_m`` or (for a report without a point) in the same county.
    """
    since, until = case.created_at - timedelta(days=days), case.created_at + timedelta(days=days)
    qs = (
        Case.objects.visible_to(viewer)
        .filter(state__in=OPEN_STATES - {State.MERGED}, created_at__range=(since, until))
        .exclude(pk=case.pk)
        .select_related("category")
    )
    if case.lng is not None and case.lat is not None:
        dlat = radius_m / 111_320
        dlng = radius_m / (111_320 * max(math.cos(math.radians(case.lat)), 0.01))
        qs = qs.filter(
            lng__range=(case.lng - dlng, case.lng + dlng),
            lat__range=(case.lat - dlat, case.lat + dlat),
        )
    elif case.region_path:
        county = "/".join(case.region_path.strip("/").split("/")[:3])
        qs = qs.filter(region_path__startswith=f"/{county}/")
    # Pairs a dispatcher has said are not the same problem are not offered again.
    if rejected is None:
        rejected = triage.rejected_pairs([case.number]).get(case.number, set())
    candidates = [c for c in qs.order_by("-created_at")[:300] if c.number not in rejected]
    ranked = duplicates.rank_duplicates(
        as_record(case),
        [as_record(c) for c in candidates],
        min_score=triage.policy().duplicate_min_score,
        limit=limit,
        calibration=calibration.current(),
    )
    by_number = {c.number: c for c in candidates}
    return [{**r, "case": by_number[r["id"]]} for r in ranked]


def duplicate_threshold() -> float:
    return triage.policy().duplicate_min_score


def duplicate_scores(*, text: str, lng, lat, category, cases) -> dict[int, dict]:
    """How likely each case is the problem a reporter is describing, and why: {case pk: the
    scorer's candidate dict (score, shared_words, shared_places, distance_m, days_apart…)}.
    Empty until there is some text to compare, so the hint then keeps its nearest-first order."""
    text = (text or "").strip()
    if not text or not cases:
        return {}
    query = {
        "id": None,
        "title": text[:120],
        "text": text,
        "lng": lng,
        "lat": lat,
        "time": timezone.now(),
        "category": category_label(category),
    }
    records = [
        {
            "id": c.pk,
            "title": c.title,
            "text": c.description,
            "lng": c.lng,
            "lat": c.lat,
            "time": c.created_at,
            "category": category_label(category),
        }
        for c in cases
    ]
    ranked = duplicates.rank_duplicates(
        query, records, limit=len(records), calibration=calibration.current()
    )
    return {r["id"]: r for r in ranked}


# -- hotspots -------------------------------------------------------------------------------------
def check_period(start, end) -> tuple[datetime, datetime]:
    now = timezone.now()
    end = end or now
    start = start or end - timedelta(days=90)
    if start >= end:
        raise ServiceError(
            "bad_period", _("The start of the period must be before its end."), "start"
        )
    if end - start > timedelta(days=731):
        raise ServiceError("bad_period", _("The period can be at most two years."), "start")
    return start, end


@dataclass(frozen=True)
class HotspotCase:
    """A hotspot's case as its page, map and API show it (plain data: it is cached)."""

    number: str
    title: str
    state: str
    lng: float | None
    lat: float | None


MAX_HOTSPOT_CASES = 5000
_HOTSPOT_COLUMNS = (
    "pk", "number", "title", "description", "address", "created_at", "reporter_id",
    # The phone's keyed digest tells callers apart as well as the phone, without opening
    # every sealed phone of the period (and without holding them in memory).
    "reporter_phone_digest", "lng", "lat", "category_id",
)  # fmt: skip


def case_hotspots(*, viewer, region: Region | None, start=None, end=None, top: int = 10):
    """(start, end, hotspots): ``hotspot_report`` for callers that need no more."""
    report = hotspot_report(viewer=viewer, region=region, start=start, end=end, top=top)
    return report["start"], report["end"], report["hotspots"]


HOTSPOT_CACHE_SECONDS = 3600
DEFAULT_TOP = 10


def hotspot_report(*, viewer, region: Region | None, start=None, end=None, top: int = DEFAULT_TOP):
    """The hotspots among the cases ``viewer`` may see, with when they were computed.

    Served from the cache while the cases behind them are unchanged: the key is the viewer,
    their scope, the region, the period asked for and ``top``; the entry is used only when a
    fingerprint of the cases in the period (how many, the newest change, the newest case
    and the number of supports) is still the same. So what is shown is never older than
    the data: any new, changed or expired case or new support recomputes on the next view.
    Returns {start, end, hotspots, computed_at, cached}.
    """
    asked = (start, end)
    start, end = check_period(start, end)
    qs = Case.objects.visible_to(viewer).filter(created_at__gte=start, created_at__lt=end)
    if region is not None:
        qs = qs.filter(region_path__startswith=region.path)
    scope = scope_for(viewer)
    key = "triage:hotspots:" + hashlib.sha256(
        repr(
            (
                viewer.pk, scope.everything, scope.territory_paths, scope.organisation_paths,
                region.pk if region else None, asked, top,
            )
        ).encode()
    ).hexdigest()  # fmt: skip
    now = qs.aggregate(n=Count("pk"), changed=Max("updated_at"), newest=Max("pk"))
    now["supports"] = CaseSupport.objects.filter(case_id__in=qs.values("pk")).count()
    if region is None and asked == (None, None) and top == DEFAULT_TOP:
        _remember_viewer(viewer.pk)  # the page's first view: kept fresh by the watcher
    cached = cache.get(key)
    if cached is not None and cached["fingerprint"] == now:
        return {**cached["report"], "cached": True}
    report = {
        "start": start,
        "end": end,
        "hotspots": _compute_hotspots(qs, start=start, end=end, top=top),
        "computed_at": timezone.now(),
    }
    cache.set(key, {"fingerprint": now, "report": report}, HOTSPOT_CACHE_SECONDS)
    return {**report, "cached": False}


# -- kept fresh in the background ----------------------------------------------------------
# Who opened the hotspots page lately (their first view: no region, the default period): the
# watcher's tick recomputes their hotspots after a change, so that the next view is served
# from the cache instead of paying the recompute. Kept in the cache too (rebuildable: a lost
# entry only means that one view pays the recompute, as before).
VIEWERS_KEY = "triage:hotspots:viewers"
VIEWERS_KEPT = timedelta(days=7)
REFRESH_PER_TICK = 20


def _remember_viewer(pk: int) -> None:
    seen = cache.get(VIEWERS_KEY) or {}
    now = timezone.now()
    last = seen.get(pk)
    if last is not None and now - last < timedelta(minutes=5):
        return  # written at most every few minutes a viewer
    seen = {p: at for p, at in seen.items() if now - at < VIEWERS_KEPT}
    seen[pk] = now
    cache.set(VIEWERS_KEY, seen, int(VIEWERS_KEPT.total_seconds()))


def refresh_hotspots(*, now=None, limit: int = REFRESH_PER_TICK) -> dict:
    """The watcher's job: the hotspots of those who viewed them lately (the latest first, at
    most ``limit``), recomputed where their cases changed since (``hotspot_report`` compares
    the fingerprint; an unchanged one costs its three counting queries). Returns counts."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    seen = cache.get(VIEWERS_KEY) or {}
    recent = sorted(
        (pk for pk, at in seen.items() if now - at < VIEWERS_KEPT),
        key=lambda pk: seen[pk],
        reverse=True,
    )[:limit]
    users = get_user_model().objects.filter(pk__in=recent, is_active=True)
    counts = {"viewers": 0, "recomputed": 0}
    for user in users:
        try:
            report = hotspot_report(viewer=user, region=None)
        except ServiceError:
            continue
        counts["viewers"] += 1
        counts["recomputed"] += not report["cached"]
    return counts


def _compute_hotspots(qs, *, start, end, top: int) -> list[dict]:
    """The hottest ``top`` hotspots among ``qs``'s newest 5,000 cases. Each hotspot carries
    its cases (number, title, state, point) and ``point``, the mean of its cases' points
    ([lng, lat], or None).

    Three queries whatever the number of cases: the cases' plain columns (no model
    objects), their supports counted apart (a GROUP BY beside the descriptions is slow on
    PostgreSQL), and the shown hotspots' cases."""
    rows = list(qs.values_list(*_HOTSPOT_COLUMNS)[:MAX_HOTSPOT_CASES])
    if not rows:
        return []
    supports = dict(
        CaseSupport.objects.filter(case_id__in=qs.values("pk"))
        .values_list("case_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    records = [
        {
            "id": number,
            "title": title,
            "text": f"{address} {description}",
            "time": created_at,
            # Distinct people: the account, else the phone; anonymous reports count alone.
            "reporter": reporter_id or phone_digest or None,
            "supports": supports.get(pk, 0),
            "lng": lng,
            "lat": lat,
            "kind": category_id,
        }
        for (
            pk, number, title, description, address, created_at, reporter_id, phone_digest,
            lng, lat, category_id,
        ) in rows
    ]  # fmt: skip
    found = hotspots.hotspots(records, top=top, window_days=max(7, (end - start).days))
    shown = {i for h in found for i in h.ids}
    by_number = {
        row[0]: HotspotCase(*row)
        for row in Case.objects.filter(number__in=shown).values_list(
            "number", "title", "state", "lng", "lat"
        )
    }
    out = []
    for h in found:
        data = h.as_dict()
        data["cases"] = [by_number[i] for i in h.ids if i in by_number]
        points = [
            (float(c.lng), float(c.lat))
            for c in data["cases"]
            if c.lng is not None and c.lat is not None
        ]
        data["point"] = (
            [sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)]
            if points
            else None
        )
        out.append(data)
    return out


# -- places -----------------------------------------------------------------------------------------
def locate_text(text: str) -> dict | None:
    found = places.locate_text(text)
    return found.as_dict() if found else None


def place_for_hint(address: str):
    """The grid or community an address names (None when it names only something larger):
    where the hotline's "already reported?" hint looks for a call without a pin."""
    found = places.locate_text(address) if len((address or "").strip()) >= 2 else None
    if found is None or not (found.grid_code or found.region_level == "community"):
        return None
    return found


def place_from_text(case: Case, text: str) -> None:
    """Set a point-less case's region (and grid, where the text allows) from its address."""
    found = places.locate_text(text)
    if found is None:
        return
    grid = Grid.objects.filter(code=found.grid_code).first() if found.grid_code else None
    case.grid = grid
    case.region = Region.objects.filter(code=found.region_code).first()
    case.region_path = found.region_path


# -- training data ------------------------------------------------------------------------------------
def closed_case_records() -> list[Record]:
    """Closed cases as training records: the category they were handled under is the label."""
    rows = (
        Case.objects.filter(state=State.CLOSED)
        .select_related("category")
        .only("number", "title", "description", "category__path")
        .order_by("-closed_at")[:50_000]
    )
    return [
        Record(title=c.title, text=c.description, label=category_label(c.category), ref=c.number)
        for c in rows
    ]
