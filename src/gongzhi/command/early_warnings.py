"""Early warnings (预警): rises in a category's reports per township, found each night.

**The test** is a simplified Farrington-style quasi-Poisson outbreak detector (Farrington,
Andrews, Beale & Catchpole, "A statistical algorithm for the early detection of outbreaks
of infectious disease", J. R. Stat. Soc. A 159 (1996) 547–563; with the negative-binomial
threshold of Noufaily et al., "An improved algorithm for outbreak detection in multiple
surveillance systems", Stat. Med. 32 (2013) 1206–1222), on 7-day totals:

* the count tested is a township's reports of one first-level category in the 7 days up to
  the day tested. A whole week holds every weekday once, so the weekly rhythm (fewer
  reports at weekends) cancels out instead of raising Monday alarms;
* the baseline is the same 7-day windows of the ``BASELINE_WEEKS`` weeks before, leaving
  out windows that were themselves flagged (a past surge must not raise the bar) and
  windows before the records begin;
* its mean ``mu`` and over-dispersion ``phi`` (the quasi-Poisson estimate, Pearson X² /
  (k − 1) / mu, taken at its upper 75 % confidence bound, X² on k − 1 degrees of freedom:
  a dozen weeks often understate how bursty a series is; at least 1) give the expected week
  as a negative binomial with mean ``mu`` and variance ``phi·mu·(1 + 1/k)`` (the last
  factor: the mean is itself estimated from k weeks; a baseline of zeros counts as one
  report in 2k weeks);
* the week is flagged when its count exceeds that distribution's ``1 − ALPHA`` quantile
  (99.5 %), it holds at least ``MIN_COUNT`` reports and the baseline at least
  ``MIN_HISTORY`` weeks: small counts (2 reports after a run of zeros) are never alarms;
* "usually a–b" is the baseline's 10–90 % range.

Unlike Farrington's, the baseline is the recent weeks rather than the same weeks of past
years (a platform has months of history, not years), and no trend is fitted: a slow
seasonal rise (heating in November) is a rise worth a look. ``assess`` and ``scan`` are pure
functions over numbers (``bench/early_warnings.py`` measures their false alarms).

**The run** (``run(day=)``; each night ``tick`` runs it for the day before, once, however
many watchers tick: the day's ``EarlyWarningRun`` row is the claim) reads the daily counts
from the rollups (``figures.daily_counts``: it never scans the cases), scans each
township-category's weekly series and records a warning for a flagged last week, once per
(township, category, day) and not again within 6 days of the last one (the windows of
consecutive days overlap). New warnings tell the leaders of the township and its county.

**Acting on one**: ``check_/do_dismiss`` (with a reason) and ``check_/do_task``: a real case
through the intake (category: the warning's, or its "other" child), placed where the
week's last report was, entered by the leader, then supervised through the case workflow
(``supervise``), so it enters the normal pipeline with its deadlines.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import special, stats

from gongzhi.accounts.models import Membership, Role
from gongzhi.accounts.scoping import GOVERNING_KINDS
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.notify import services as notify
from gongzhi.regions.models import Region, RegionLevel
from gongzhi.taxonomy.models import Category

from .models import EarlyWarning, EarlyWarningRun, WarningState

ALPHA = 0.005  # one-sided: a week above the 99.5 % quantile of the expected week
BASELINE_WEEKS = 12
MIN_COUNT = 5
MIN_HISTORY = 4
SCAN_WEEKS = 2 * BASELINE_WEEKS + 1  # the weeks read for a run: flags of the past need theirs
# X² (k − 1 degrees of freedom) lower 25 % points: the dispersion's upper 75 % bound.
CHI2_LOW = {
    k: float(stats.chi2.ppf(0.25, k - 1)) if k > 1 else 1.0 for k in range(BASELINE_WEEKS + 1)
}
NIGHT_HOUR = 1  # the nightly run starts after 01:00 local time, testing the day before
WHO_ACTS = frozenset({Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR})


class WarningError(ServiceError):
    """A warning that cannot be acted on as asked."""


# -- the test (pure) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    alarm: bool
    count: int
    expected: float  # the baseline's mean
    low: int  # "usually low–high": the baseline's 10–90 % range
    high: int
    threshold: int  # the highest count still within the 1 − ALPHA quantile
    p_value: float  # P(a week this high or higher | the baseline)
    dispersion: float
    history: int  # baseline weeks used


def _negative_binomial(mu: float, phi: float, k: int) -> tuple[float, float]:
    """The expected week's (n, p): negative binomial with mean mu and variance
    phi·mu·(1 + 1/k)."""
    mu = max(mu, 1 / (2 * k))  # a baseline of zeros: as if one report in 2·k weeks
    p = 1 / (phi * (1 + 1 / k))
    return mu * p / (1 - p), p


def _sf(count: int, n: float, p: float) -> float:
    """P(Y ≥ count): 1 − I_p(n, count), the regularised incomplete beta (what
    ``scipy.stats.nbinom.sf`` computes, without its per-call overhead)."""
    return 1.0 if count <= 0 else float(1 - special.betainc(n, count, p))


def _quantile(q: float, n: float, p: float) -> int:
    """The smallest count c with P(Y ≤ c) ≥ q."""
    mean = n * (1 - p) / p
    sd = math.sqrt(mean / p)
    top = int(mean + 10 * sd + 10)
    cdf = special.betainc(n, np.arange(1, top + 2), p)  # P(Y ≤ c) for c = 0..top
    return int(np.searchsorted(cdf, q))


def assess(
    count: int,
    baseline: Sequence[float],
    *,
    alpha: float = ALPHA,
    min_count: int = MIN_COUNT,
    min_history: int = MIN_HISTORY,
    threshold: bool = True,
) -> Verdict:
    """Is ``count`` (this week's reports) a rise over ``baseline`` (the weeks before, with
    flagged and missing weeks already left out)? See the module's docstring.
    ``threshold=False`` skips computing the highest usual count (``scan``'s past weeks)."""
    b = np.asarray(baseline, dtype=float)
    b = b[~np.isnan(b)]
    k = len(b)
    count = int(count)
    if k == 0:
        return Verdict(False, count, 0.0, 0, 0, 0, 1.0, 1.0, 0)
    mu = float(b.mean())
    phi = 1.0
    if k > 1 and mu > 0:
        pearson = float(((b - mu) ** 2).sum()) / (k - 1) / mu
        # The estimate from a dozen weeks is often too low for a bursty series: taken at
        # its upper 75 % confidence bound (X² on k − 1 degrees of freedom).
        phi = max(1.0, pearson * (k - 1) / CHI2_LOW[k])
    low, high = np.percentile(b, [10, 90])
    low, high = int(math.floor(low)), int(math.ceil(high))
    if k < min_history or count < min_count:
        # Not testable, or too few to matter (most series, most weeks).
        return Verdict(False, count, mu, low, high, max(high, min_count - 1), 1.0, phi, k)
    n, p = _negative_binomial(mu, phi, k)
    p_value = _sf(count, n, p)
    usual = _quantile(1 - alpha, n, p) if threshold else 0
    alarm = p_value <= alpha
    return Verdict(alarm, count, mu, low, high, max(usual, min_count - 1), p_value, phi, k)


def scan(weekly: Sequence[float], **options) -> list[Verdict]:
    """``assess`` each week of a series (oldest first; NaN for a week before the records
    begin) against the ``BASELINE_WEEKS`` before it, leaving out the weeks flagged."""
    series = np.asarray(weekly, dtype=float)
    flagged = np.zeros(len(series), dtype=bool)
    verdicts = []
    for i, count in enumerate(series):
        lo = max(0, i - BASELINE_WEEKS)
        window = series[lo:i][~flagged[lo:i]]
        if np.isnan(count):
            verdict = Verdict(False, 0, 0.0, 0, 0, 0, 1.0, 1.0, 0)
        else:
            last = i == len(series) - 1
            verdict = assess(int(count), window, threshold=last, **options)
        flagged[i] = verdict.alarm
        verdicts.append(verdict)
    return verdicts


# -- the series -----------------------------------------------------------------------------


def _daily_counts(*, start: date, end: date) -> list[tuple[date, str, int, int]]:
    from . import figures

    return figures.daily_counts(start=start, end=end, level="township")


def weekly_series(
    rows, *, day: date, weeks: int = SCAN_WEEKS
) -> tuple[dict[tuple[str, int], np.ndarray], date | None]:
    """The daily rows folded into 7-day windows ending on ``day``, ``day − 7``, … (oldest
    first), per (township path, category id); windows that start before the first day with
    any report anywhere are NaN (no records yet, not a quiet week)."""
    series: dict[tuple[str, int], np.ndarray] = defaultdict(lambda: np.zeros(weeks))
    first = None
    for on, path, category_id, n in rows:
        back = (day - on).days // 7
        if 0 <= back < weeks:
            series[(path, category_id)][weeks - 1 - back] += n
        first = on if first is None or on < first else first
    if first is not None:
        starts = [day - timedelta(days=7 * (weeks - 1 - i) + 6) for i in range(weeks)]
        missing = np.array([s < first for s in starts])
        for values in series.values():
            values[missing] = np.nan
    return dict(series), first


# -- the run --------------------------------------------------------------------------------


def run(*, day: date | None = None) -> dict:
    """Test the 7 days up to ``day`` (default: today) for every township and category;
    record and announce the new warnings. Safe to rerun: nothing is duplicated."""
    day = day or timezone.localdate()
    start = day - timedelta(days=7 * SCAN_WEEKS - 1)
    series, _first_day = weekly_series(_daily_counts(start=start, end=day), day=day)
    flagged = []
    tested = 0
    for key, values in series.items():
        if np.isnan(values[-1]) or values[-1] < MIN_COUNT:
            continue  # cannot be a rise: no need to scan its history
        tested += 1
        verdict = scan(values)[-1]
        if verdict.alarm:
            flagged.append((key, values, verdict))
    townships = {
        r.path: r
        for r in Region.objects.filter(
            path__in={path for (path, _c), _v, _x in flagged}, level=RegionLevel.TOWNSHIP
        ).select_related("parent")
    }
    categories = Category.objects.in_bulk({c for (_p, c), _v, _x in flagged})
    created = []
    for (path, category_id), values, verdict in flagged:
        township, category = townships.get(path), categories.get(category_id)
        if township is None or category is None:
            continue
        warning = _record(township, category, day, values, verdict)
        if warning is not None:
            created.append(warning)
    _announce(created)
    return {
        "day": day.isoformat(),
        "series": len(series),
        "tested": tested,
        "flagged": len(flagged),
        "created": len(created),
        "warnings": [w.pk for w in created],
    }


def _record(township, category, day, values, verdict) -> EarlyWarning | None:
    """The warning, unless it exists already or one for the same place and category was
    raised in the 6 days before (their weeks overlap: the same rise)."""
    recent = EarlyWarning.objects.filter(
        township=township, category=category, day__gte=day - timedelta(days=6), day__lte=day
    )
    if recent.exists():
        return None
    weeks = [None if np.isnan(v) else int(v) for v in values]
    flags = [v.alarm for v in scan(values)]
    try:
        with transaction.atomic():
            return EarlyWarning.objects.create(
                township=township,
                category=category,
                day=day,
                count=verdict.count,
                expected=round(verdict.expected, 2),
                expected_low=verdict.low,
                expected_high=verdict.high,
                threshold=verdict.threshold,
                p_value=verdict.p_value,
                dispersion=round(verdict.dispersion, 3),
                history=verdict.history,
                series={"weeks": weeks, "flagged": flags},
            )
    except IntegrityError:
        return None  # a concurrent run recorded it first


def headline(warning: EarlyWarning) -> str:
    """ "平安镇 供暖 reports this week: 38, usually 6–11"."""
    return _("%(place)s %(category)s reports this week: %(count)d, usually %(low)d–%(high)d") % {
        "place": warning.township.name,
        "category": warning.category.name,
        "count": warning.count,
        "low": warning.expected_low,
        "high": warning.expected_high,
    }


def leaders_of(township: Region) -> list[int]:
    """The leaders of the governments, township offices and command centres serving the
    township or its county (not the city's: they see the list, without an inbox message
    for every township)."""
    paths = [township.path]
    if township.parent_id:
        paths.append(township.parent.path)
    return sorted(
        set(
            Membership.objects.filter(
                role=Role.LEADER,
                user__is_active=True,
                organisation__is_active=True,
                organisation__kind__in=GOVERNING_KINDS,
                organisation__regions__path__in=paths,
            ).values_list("user_id", flat=True)
        )
    )


def _announce(warnings: list[EarlyWarning]) -> None:
    items = [
        notify.Item(
            recipients=leaders_of(w.township),
            kind="command.early_warning",
            title=headline(w),
            body=_("Reports of %(category)s in %(place)s, %(start)s to %(end)s.")
            % {
                "category": w.category.name,
                "place": w.township.name,
                "start": w.start.isoformat(),
                "end": w.day.isoformat(),
            },
            link=reverse("command:early_warning", args=[w.pk]),
            data={"warning": w.pk, "township": w.township.code, "category": w.category_id},
        )
        for w in warnings
    ]
    if items:
        notify.notify_each(items)


def tick(*, now: datetime | None = None) -> dict:
    """The periodic job: after 01:00 local time, test the day before, once."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.time() < time(NIGHT_HOUR):
        return {"skipped": "before the night's hour"}
    day = local.date() - timedelta(days=1)
    try:
        with transaction.atomic():
            claim = EarlyWarningRun.objects.create(day=day, started_at=now)
    except IntegrityError:
        return {"skipped": "already run", "day": day.isoformat()}
    result = run(day=day)
    claim.finished_at = timezone.now()
    claim.result = result
    claim.save(update_fields=["finished_at", "result"])
    return result


# -- reading --------------------------------------------------------------------------------


def visible(user):
    return EarlyWarning.objects.visible_to(user).select_related("township__parent", "category")


def get_visible(*, user, pk: int) -> EarlyWarning:
    warning = visible(user).filter(pk=pk).first()
    if warning is None:
        raise NotFound("not_found", _("No such warning."))
    return warning


def window(warning: EarlyWarning) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(warning.start, time.min, tzinfo=tz)
    return start, datetime.combine(warning.day + timedelta(days=1), time.min, tzinfo=tz)


def cases_of(warning: EarlyWarning, *, user):
    """The reports the warning counts, as far as the user may see them."""
    from gongzhi.cases.models import Case

    start, end = window(warning)
    return (
        Case.objects.visible_to(user)
        .filter(
            region_path__startswith=warning.township.path,
            category__path__startswith=warning.category.path,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("category")
        .order_by("-created_at")
    )


def queue_url(warning: EarlyWarning, *, user) -> str | None:
    """The case queue listing exactly the reports the warning counts (None for a viewer
    without the queue)."""
    from . import figures

    return figures.records_url(
        viewer=user,
        measure="reported",
        region=warning.township,
        start=warning.start,
        end=warning.day,
        category=warning.category_id,
    )


def chart(warning: EarlyWarning) -> dict:
    """The series chart: the weeks' totals (oldest first) and the usual band."""
    weeks = warning.series.get("weeks") or []
    flags = warning.series.get("flagged") or [False] * len(weeks)
    shown = weeks[-(BASELINE_WEEKS + 1) :]
    flags = flags[-len(shown) :] if shown else []
    labels = [
        (warning.day - timedelta(days=7 * (len(shown) - 1 - i))).strftime("%m-%d")
        for i in range(len(shown))
    ]
    return {
        "labels": labels,
        "counts": shown,
        "flagged": flags,
        "low": warning.expected_low,
        "high": warning.expected_high,
        "threshold": warning.threshold,
        "names": {
            "count": _("Reports in the week"),
            "band": _("Usual range"),
            "threshold": _("Warning threshold"),
        },
    }


# -- acting on a warning --------------------------------------------------------------------


def _check_actor(*, warning: EarlyWarning, user) -> None:
    scope = scope_for(user)
    if not visible(user).filter(pk=warning.pk).exists():
        raise NotFound("not_found", _("No such warning."))
    if not scope.everything and not scope.roles & WHO_ACTS:
        raise NotAllowed(
            "not_allowed", _("Only leaders and command-centre dispatchers act on warnings.")
        )
    if warning.state != WarningState.OPEN:
        raise Conflict(
            "not_open",
            _("This warning has already been dealt with (%(state)s).")
            % {"state": warning.get_state_display()},
        )


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if len(reason) < 2:
        raise WarningError("required", _("Please give the reason for dismissing."), "reason")
    if len(reason) > 300:
        raise WarningError(
            "too_long", _("The reason is too long (300 characters at most)."), "reason"
        )
    return reason


def check_dismiss(*, warning: EarlyWarning, user, reason: str) -> str:
    _check_actor(warning=warning, user=user)
    return _reason(reason)


def do_dismiss(*, warning: EarlyWarning, user, reason: str) -> EarlyWarning:
    reason = check_dismiss(warning=warning, user=user, reason=reason)
    with transaction.atomic():
        moved = EarlyWarning.objects.filter(pk=warning.pk, state=WarningState.OPEN).update(
            state=WarningState.DISMISSED,
            reason=reason,
            decided_by=user,
            decided_at=timezone.now(),
        )
    if not moved:
        raise Conflict("not_open", _("Someone else has just dealt with this warning."))
    warning.refresh_from_db()
    return warning


def _task_category(warning: EarlyWarning) -> Category:
    """The warning's category if a case may be filed in it; else its "other" child."""
    category = warning.category
    if category.enabled:
        children = Category.objects.filter(parent=category, enabled=True)
        other = children.filter(Q(name__startswith="其他") | Q(name__icontains="综合")).first()
        return other or category
    raise WarningError(
        "category_disabled",
        _("The category %(name)s is no longer in use: report the case by hand.")
        % {"name": category.name},
    )


def _task_point(warning: EarlyWarning) -> tuple[float | None, float | None]:
    """Where the week's last report was (so the case lands in the township's grid); failing
    one, the township's centre."""
    from gongzhi.cases.models import Case

    start, end = window(warning)
    last = (
        Case.objects.filter(
            region_path__startswith=warning.township.path,
            category__path__startswith=warning.category.path,
            created_at__gte=start,
            created_at__lt=end,
            lng__isnull=False,
        )
        .order_by("-created_at")
        .values_list("lng", "lat")
        .first()
    )
    return last or (warning.township.centre_lng, warning.township.centre_lat)


def check_task(*, warning: EarlyWarning, user, note: str = "") -> Category:
    _check_actor(warning=warning, user=user)
    if len((note or "").strip()) > 1000:
        raise WarningError("too_long", _("The note is too long (1000 characters at most)."), "note")
    return _task_category(warning)


def do_task(*, warning: EarlyWarning, user, note: str = ""):
    """Turn the warning into a real case, supervised; returns the case."""
    from gongzhi.cases.choices import Channel
    from gongzhi.cases.intake import services as intake
    from gongzhi.cases.workflow import table as workflow

    category = check_task(warning=warning, user=user, note=note)
    lng, lat = _task_point(warning)
    link = queue_url(warning, user=user) or reverse("command:early_warning", args=[warning.pk])
    description = "\n".join(
        filter(
            None,
            [
                headline(warning),
                _("Period: %(start)s to %(end)s. Usual weekly mean: %(mean)s.")
                % {
                    "start": warning.start.isoformat(),
                    "end": warning.day.isoformat(),
                    "mean": f"{warning.expected:.1f}",
                },
                _("The reports: %(link)s") % {"link": link},
                (note or "").strip(),
            ],
        )
    )
    # Supervising is the command side's (dispatchers and leaders governing the place); an
    # administrator's task goes in urgent instead.
    supervise = bool(scope_for(user).roles & {Role.LEADER, Role.DISPATCHER})
    report = intake.Report(
        channel=Channel.API,
        title=_("Early warning: %(place)s %(category)s")
        % {"place": warning.township.name, "category": warning.category.name},
        description=description,
        category=category,
        lng=lng,
        lat=lat,
        address=warning.township.name,
        is_urgent=not supervise,
        idempotency_key=f"early-warning-{warning.pk}",
    )
    with transaction.atomic():
        locked = EarlyWarning.objects.select_for_update().filter(pk=warning.pk).first()
        if locked is None or locked.state != WarningState.OPEN:
            raise Conflict("not_open", _("Someone else has just dealt with this warning."))
        case, _created = intake.do_report(report=report, reporter=None, entered_by=user)
        if supervise:
            if "supervise" not in workflow.allowed_actions(case, user):
                raise WarningError(
                    "not_supervisable",
                    _("The case would fall outside your area: report it by hand."),
                )
            case = workflow.transition(
                case_id=case.pk,
                action="supervise",
                actor=user,
                note=_("Supervised from an early warning: %(headline)s")
                % {"headline": headline(warning)},
            )
        EarlyWarning.objects.filter(pk=warning.pk).update(
            state=WarningState.TASKED, case=case, decided_by=user, decided_at=timezone.now()
        )
    warning.refresh_from_db()
    return case
