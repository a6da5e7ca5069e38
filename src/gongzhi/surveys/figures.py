"""The survey's results for a region and a wave: what the wave page, the API and the
command centre's screen read.

``results(*, viewer, region, wave=None, start=None, end=None) -> dict``::

    {
      "region": {"code", "name", "level"},
      "wave": {"id", "name", "start", "end", "state"} | None,
      "measures": {"safety": M | None, "satisfaction": M | None},
      "response": {"sample", "contacted", "completed", "by_link", "rate"},
      "areas": [{"code", "name", "measures": {...}, "response": {...}}],   # the next level
      "method": "stratified-township-population",
    }
    M = {"mean", "low", "high",                 # score 0–100 and its 95 % interval
         "positive", "positive_low", "positive_high",   # % positive answers, 0–100
         "n", "coverage"}                       # respondents; population share answered

Without ``wave``: the latest wave in the field or closed that the viewer sees, over or
inside ``region``, whose period meets [start, end] (either may be None); of waves ending on
the same day, the one over the smallest area. Estimates are those
of ``estimates`` (stratified by township, weighted by population, design-based 95 % CI).
The response rate is AAPOR RR1-like: completed interviews / members contacted (completed,
or called at least once); members never reached by any means are not in the base.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region, RegionLevel

from .choices import Measure, MemberState, WaveState
from .estimates import Stratum, estimate
from .models import Answer, SampleMember, Wave, _ancestors
from .services import populations, townships_of

# Who reads the results: those who run and supervise the survey, not residents.
RESULT_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.HOTLINE_OPERATOR, Role.ADMINISTRATOR})
METHOD = "stratified-township-population"


def reads_results(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.roles & RESULT_ROLES and scope.region_paths)


def check_results(*, viewer, region: Region) -> None:
    scope = scope_for(viewer)
    if not reads_results(viewer) or not scope.covers_region_path(region.path):
        raise NotAllowed("not_allowed", _("These results are outside your scope."), "region")


def waves_for(viewer, region: Region, *, start=None, end=None):
    """Waves in the field or closed, over or inside ``region``, meeting the period."""
    waves = Wave.objects.visible_to(viewer).filter(
        Q(region__path__in=_ancestors(region.path)) | Q(region__path__startswith=region.path),
        state__in=[WaveState.FIELDING, WaveState.CLOSED],
    )
    if start:
        waves = waves.filter(end__gte=start)
    if end:
        waves = waves.filter(start__lte=end)
    # The latest; of waves ending the same day, the one over the smallest area.
    return waves.select_related("region").order_by("-end", Length("region__path").desc(), "-id")


def _values(wave: Wave, town_ids) -> dict:
    """{(township id, measure): ([respondent mean scores], [respondent positive shares])}."""
    rows = (
        Answer.objects.filter(response__wave=wave, response__region_id__in=town_ids)
        .exclude(score__isnull=True)
        .values_list("response_id", "response__region_id", "measure", "score", "positive")
        .order_by("response_id")
    )
    per = defaultdict(list)
    for response, town, measure, score, positive in rows:
        per[(response, town, measure)].append((score, positive))
    out = defaultdict(lambda: ([], []))
    for (_r, town, measure), answers in per.items():
        scores, shares = out[(town, measure)]
        scores.append(sum(s for s, _p in answers) / len(answers))
        shares.append(sum(1 for _s, p in answers if p) / len(answers))
    return out


def _measure(towns, sizes, values, measure) -> dict | None:
    score = estimate(
        [Stratum(sizes.get(t.pk, 0), tuple(values[(t.pk, measure)][0])) for t in towns]
    )
    if score is None:
        return None
    share = estimate(
        [Stratum(sizes.get(t.pk, 0), tuple(values[(t.pk, measure)][1])) for t in towns], top=1.0
    )
    return {
        "mean": round(score["mean"], 1),
        "low": round(score["low"], 1),
        "high": round(score["high"], 1),
        "positive": round(share["mean"] * 100, 1),
        "positive_low": round(share["low"] * 100, 1),
        "positive_high": round(share["high"] * 100, 1),
        "n": score["n"],
        "coverage": round(score["coverage"], 3),
    }


def _response(counts: dict, town_ids) -> dict:
    sample = contacted = completed = by_link = 0
    for (town, state, called), n in counts.items():
        if town not in town_ids:
            continue
        sample += n
        done = state in (MemberState.ANSWERED, MemberState.BY_LINK)
        completed += n if done else 0
        by_link += n if state == MemberState.BY_LINK else 0
        contacted += n if (done or called) else 0
    return {
        "sample": sample,
        "contacted": contacted,
        "completed": completed,
        "by_link": by_link,
        "rate": round(completed / contacted * 100, 1) if contacted else None,
    }


def _area_of(town: Region, level: str) -> str:
    """The path of ``town``'s ancestor at ``level`` (its county, say)."""
    depth = {RegionLevel.CITY: 2, RegionLevel.COUNTY: 3}[level]
    return _ancestors(town.path)[depth - 1] if len(_ancestors(town.path)) >= depth else town.path


def _place(region: Region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level}


def results(*, viewer, region: Region, wave: Wave | None = None, start=None, end=None) -> dict:
    check_results(viewer=viewer, region=region)
    if wave is None:
        wave = waves_for(viewer, region, start=start, end=end).first()
    elif not Wave.objects.visible_to(viewer).filter(pk=wave.pk).exists():
        raise NotFound("not_found", _("There is no such wave."), "wave")
    empty = {
        "region": _place(region),
        "wave": None,
        "measures": {m: None for m in Measure.values},
        "response": _response({}, set()),
        "areas": [],
        "method": METHOD,
    }
    if wave is None:
        return empty
    towns = [t for t in townships_of(wave.region) if t.path.startswith(region.path)]
    if region.path.startswith(wave.region.path) and region.level == RegionLevel.TOWNSHIP:
        towns = [t for t in towns if t.pk == region.pk]
    ids = {t.pk for t in towns}
    sizes = populations(towns)
    values = _values(wave, ids)
    counts = {
        (r["region_id"], r["state"], r["called"]): r["n"]
        for r in SampleMember.objects.filter(wave=wave, region_id__in=ids)
        .annotate(called=Q(attempts__gt=0))
        .values("region_id", "state", "called")
        .annotate(n=Count("pk"))
    }
    # The next level down: counties of a city, townships of a county.
    groups: dict[str, list[Region]] = defaultdict(list)
    if region.level in (RegionLevel.PROVINCE, RegionLevel.CITY):
        for t in towns:
            groups[_area_of(t, RegionLevel.COUNTY)].append(t)
        names = {r.path: r for r in Region.objects.filter(path__in=list(groups))}
    else:
        names = {}
        if region.level != RegionLevel.TOWNSHIP:
            for t in towns:
                groups[t.path].append(t)
                names[t.path] = t
    areas = [
        {
            **_place(names[path]),
            "measures": {m: _measure(group, sizes, values, m) for m in Measure.values},
            "response": _response(counts, {t.pk for t in group}),
        }
        for path, group in sorted(groups.items())
        if path in names
    ]
    return {
        "region": _place(region),
        "wave": {
            "id": wave.pk,
            "name": wave.name,
            "start": wave.start.isoformat(),
            "end": wave.end.isoformat(),
            "state": wave.state,
        },
        "measures": {m: _measure(towns, sizes, values, m) for m in Measure.values},
        "response": _response(counts, ids),
        "areas": areas,
        "method": METHOD,
    }


def parse_day(value) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(str(value))
