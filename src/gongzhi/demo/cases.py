"""海东 demo cases: about 5,000 cases of the last 180 days, each with a handling history
made by the real workflow (run by ``gongzhi demo load`` after the categories).

``load(stdout=None) -> dict`` generates them once. **Idempotent by marker**: every demo case
carries an ``idempotency_key`` starting with ``demo-``; when any such case exists, ``load``
creates nothing (delete those cases to generate them again). The stories are deterministic
for a seed; they are anchored at the moment of loading ("the last 180 days"), so the dates
move with the day you load while the mix and the stories do not.

How: ``drafts`` draws who reports what, where and when; ``stories`` draws what happens to
each case as a list of workflow actions with their times; ``history`` takes each step
through ``table.transition`` dated when it happened, and runs the deadline scan at the
moments it would have noticed a threshold. So the states, deadlines, met/missed flags,
warnings and timelines are what live use makes of the same steps. Steps later than "now"
are not taken, so the last few days' cases are still open, in whatever state they reached.

``generate(count=, grids=)`` does the work for any set of grids; tests run it on their world.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.cases.choices import Channel, State
from gongzhi.cases.models import (
    Callback,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseSupport,
    ExtensionRequest,
)
from gongzhi.core import holidays
from gongzhi.demo import notices as demo_notices
from gongzhi.demo import photos as demo_photos
from gongzhi.demo.accounts import synthetic_mobile, synthetic_name
from gongzhi.demo.drafts import Draft, draw
from gongzhi.demo.history import History, People, date_rows, write
from gongzhi.demo.reference import Reference, category_infos, grid_infos
from gongzhi.demo.stories import P_MERGE, merge_target, stall, story
from gongzhi.regions.models import Grid, Region

DEMO_KEY_PREFIX = "demo-"
DEMO_COUNT = 5000
DEMO_DAYS = 180
DEMO_SEED = 20261128
RESIDENTS = 50
RESIDENT_PREFIX = "res"
BATCH = 500  # cases written in one go


def ensure_residents(count: int = RESIDENTS) -> list[tuple[int, str, str]]:
    """Synthetic residents ``res0001``… who report through the app (no password: they are
    reporters in the demo, not logins). Returns (id, name, mobile) in user-name order."""
    wanted = [f"{RESIDENT_PREFIX}{i:04d}" for i in range(1, count + 1)]
    have = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    unusable = make_password(None)
    new = []
    for username in wanted:
        if username not in have:
            name, _male = synthetic_name(random.Random(f"gongzhi-demo-resident:{username}"))
            new.append(
                User(
                    username=username,
                    password=unusable,
                    display_name=name,
                    mobile=synthetic_mobile(username),
                )
            )
    User.objects.bulk_create(new, batch_size=500)
    return list(
        User.objects.filter(username__in=wanted)
        .order_by("username")
        .values_list("pk", "display_name", "mobile")
    )


def _number(drafts: list[Draft]) -> None:
    """HD-YYYYMMDD-NNNNNN per local day in report order, continuing each day's sequence and
    moving it on, so live intake carries on where the history stops."""
    prefix = settings.GONGZHI.get("CASE_PREFIX", "HD")
    by_day = defaultdict(list)
    for d in drafts:
        by_day[timezone.localdate(d.created_at)].append(d)
    existing = {
        seq.day: seq
        for seq in CaseNumberSequence.objects.select_for_update().filter(
            prefix=prefix, day__in=list(by_day)
        )
    }
    new = []
    for day, items in by_day.items():
        seq = existing.get(day)
        start = seq.last if seq else 0
        for i, d in enumerate(items, start=start + 1):
            d.number = f"{prefix}-{day:%Y%m%d}-{i:06d}"
        if seq:
            seq.last = start + len(items)
        else:
            new.append(CaseNumberSequence(prefix=prefix, day=day, last=len(items)))
    CaseNumberSequence.objects.bulk_update(list(existing.values()), ["last"])
    CaseNumberSequence.objects.bulk_create(new)


def _tell(rng, drafts: list[Draft], ref: Reference, now) -> None:
    """Draw each story and take it through the workflow, in report order (a merge needs
    its target's history). The cases that need no row of their own before their story
    ends are written in batches."""
    people = People()
    open_by_kind = defaultdict(list)  # (category, county) → earlier drafts
    waiting: list[History] = []
    for d in drafts:
        kind = (d.category.id, d.grid.county)
        target = None
        if rng.random() < P_MERGE:
            target = merge_target(d, open_by_kind[kind])
        if target is not None and target.case.pk is None:  # merged into: written first
            write(waiting)
            waiting = []
        steps = stall(rng, story(rng, d, ref, target), now)
        history = History(rng, d, ref, now, people)
        history.run(steps)
        if history.waiting:
            waiting.append(history)
        if len(waiting) >= BATCH:
            write(waiting)
            waiting = []
        if history.case.state not in (State.REJECTED, State.MERGED):
            open_by_kind[kind].append(d)
    write(waiting)


def _support(drafts: list[Draft]) -> int:
    """我也遇到: the residents who added their voice to a gathering's first report, dated
    when they did (the row is stamped when written)."""
    voices = [
        (d.case, user_id, at)
        for d in drafts
        for user_id, at in d.supports
        if user_id != d.reporter_id
    ]
    supports = [CaseSupport(case=case, user_id=user_id) for case, user_id, _at in voices]
    CaseSupport.objects.bulk_create(supports, batch_size=1000)
    for support, (_case, _user, at) in zip(supports, voices, strict=True):
        support.created_at = at
    CaseSupport.objects.bulk_update(supports, ["created_at"], batch_size=1000)
    return len(supports)


def exists(key_prefix: str = DEMO_KEY_PREFIX) -> bool:
    return Case.objects.filter(idempotency_key__startswith=key_prefix).exists()


def generate(
    *,
    count: int,
    grids=None,
    now=None,
    seed: int = DEMO_SEED,
    days: int = DEMO_DAYS,
    key_prefix: str = DEMO_KEY_PREFIX,
) -> dict:
    """Create ``count`` historic cases in ``grids`` (a Grid queryset; default: all) over the
    ``days`` before ``now``. Creates nothing when cases with ``key_prefix`` keys exist."""
    started = time.monotonic()
    if exists(key_prefix):
        return {"cases": 0, "skipped": True}
    now = now or timezone.now()
    rng = random.Random(seed)
    with transaction.atomic():
        places = grid_infos(grids if grids is not None else Grid.objects.all())
        categories = category_infos()
        if not places or not categories:
            return {"cases": 0, "skipped": True}
        residents = ensure_residents(RESIDENTS)
        ref = Reference(places, categories)
        drafts = draw(rng, ref, count, now, days, residents)
        _give_the_demo_resident_reports(drafts, now)
        _number(drafts)
        for d in drafts:
            d.key = f"{key_prefix}{d.index:06d}"
        _tell(rng, drafts, ref, now)
        mine = Case.objects.filter(idempotency_key__startswith=key_prefix)
        date_rows(mine, now=now)
        counts = {
            "cases": len(drafts),
            "events": CaseEvent.objects.filter(case__in=mine).count(),
            "callbacks": Callback.objects.filter(case__in=mine).count(),
            "extension_requests": ExtensionRequest.objects.filter(case__in=mine).count(),
            "supports": _support(drafts),
        }
    counts["states"] = dict(Counter(d.case.state for d in drafts).most_common())
    counts["seconds"] = round(time.monotonic() - started, 2)
    return counts


DEMO_RESIDENT_REPORTS = 6


def _give_the_demo_resident_reports(drafts: list[Draft], now) -> None:
    """The demo_resident login has a history of their own to open: the latest few 随手拍
    reports near the demo community (demo_grid's grids, then its township, then its county)
    become theirs, so that 我的上报, the tracking page and a callback can be shown."""
    resident = User.objects.filter(username="demo_resident").values_list("pk", flat=True).first()
    home = list(
        Grid.objects.filter(assignments__user__username="demo_grid").values_list(
            "id", "region_path"
        )
    )
    if resident is None or not home:
        return
    ids = {pk for pk, _path in home}
    parts = home[0][1].strip("/").split("/")
    township, county = "/" + "/".join(parts[:4]) + "/", "/" + "/".join(parts[:3]) + "/"

    def nearness(d: Draft) -> int:
        if d.grid.id in ids:
            return 0
        return 1 if d.grid.region_path.startswith(township) else 2

    since = now - timedelta(days=45)
    mine = [
        d
        for d in drafts
        if d.channel == Channel.QUICK_REPORT
        and not d.is_anonymous
        and d.created_at >= since
        and d.grid.region_path.startswith(county)
    ]
    mine.sort(key=lambda d: (nearness(d), -d.created_at.timestamp()))
    # Half from the last week (still being handled), half older (closed, some to rate).
    week = now - timedelta(days=7)
    half = DEMO_RESIDENT_REPORTS // 2
    recent = [d for d in mine if d.created_at >= week][:half]
    older = [d for d in mine if d.created_at < week][: DEMO_RESIDENT_REPORTS - len(recent)]
    for d in recent + older:
        d.reporter_id = resident


def city_grids():
    code = settings.GONGZHI.get("DEMO_CITY_CODE", "630200")
    city = Region.objects.filter(code=code).first()
    return Grid.objects.filter(region_path__startswith=city.path) if city else Grid.objects.none()


def load(*, stdout=None) -> dict:
    """The demo's history: DEMO_COUNT cases over DEMO_DAYS days in the demo city, once."""
    if exists():
        if stdout is not None:
            stdout.write("cases: demo cases already present, nothing created\n")
        return {"cases": 0, "skipped": True}
    holidays.load()  # the history's deadlines count on the same calendar as live ones
    counts = generate(count=DEMO_COUNT, grids=city_grids())
    counts["photos"] = demo_photos.attach(seed=DEMO_SEED)
    counts["notices"] = demo_notices.replay()
    if stdout is not None:
        stdout.write(
            f"cases: {counts['cases']} demo cases, {counts.get('events', 0)} timeline entries, "
            f"{counts.get('callbacks', 0)} callbacks, {counts['photos']} photos, "
            f"{counts['notices']} notices "
            f"({counts['seconds']} s)\n"
        )
    return counts
