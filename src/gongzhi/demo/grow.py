"""Many cases, fast: ``gongzhi demo grow --cases N`` and the benches (``bench/command.py``,
``bench/scale.py``, through ``bench/_command_data.py``).

``grow(target)`` takes a loaded demo to TARGET cases: copies of the demo's own cases (their
titles, words and results, per category) spread over two years, with their timelines and
callbacks, then the command centre's rollups rebuilt so the figures count them.

``load_reference()`` gives a fresh platform the 海东 demo's places, units and category owners
(the parts of ``gongzhi demo load`` the figures need, in seconds). ``generate(n)`` then
writes N cases spread evenly over the last DAYS days across every active grid, with their
callbacks and the timeline entries of the cases a unit sent back, in proportions like a
city hotline's: most old cases closed, a few rejected or merged, recent ones still in hand,
some signed or resolved late, two thirds of closed cases rated (a few twice: the latest
counts). Nothing goes through the ORM per row: rows are built as plain tuples and written
with PostgreSQL's COPY, or SQLite's executemany in one transaction, with the tables'
secondary indexes dropped during the load and built again after it (and foreign-key checks
off: every key written is taken from rows that exist). Case numbers follow intake's
PREFIX-YYYYMMDD-NNNNNN, and the day counters are set so a new report takes the next one.

Works inside a test's transaction too (then without the load-time tricks).
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import random
import threading
import time
from contextlib import contextmanager

SEED = 20261206
DAY = 86400
LOCAL_OFFSET = 8 * 3600  # Asia/Shanghai: local days for the case numbers
CHUNK = 50_000

CHANNELS = (
    ("hotline", 35),
    ("grid_worker", 30),
    ("quick_report", 20),
    ("api", 5),
    ("sensor", 4),
    ("video", 3),
    ("open311", 3),
)
RESOLVE_HOURS = (24, 72, 120, 168)  # per category, as its SLA would say
SURNAMES = "马韩李王张祁朱刘赵冶陈杨汪鲁"


def load_reference() -> dict:
    """The demo's regions and grids, units and people, and the categories' owners."""
    from gongzhi.demo import accounts, categories, regions

    started = time.perf_counter()
    regions.load()
    accounts.load()
    categories.load()
    return {"reference_s": round(time.perf_counter() - started, 1)}


# -- what the cases are made of --------------------------------------------------------------


class Places:
    """Active grids with a point inside each, the case's command centre and the units that
    may lead it there; the leaf categories; from the database, whatever world it holds."""

    def __init__(self):
        from shapely.geometry import shape

        from gongzhi.accounts.models import OrganisationKind
        from gongzhi.cases.workflow import reference, routing
        from gongzhi.regions.models import Grid
        from gongzhi.taxonomy.models import Category

        table = reference.table()
        # Region path → the units (not command centres) serving it.
        serving: dict[str, list[int]] = {}
        for org_id, paths in table.org_regions.items():
            if table.orgs[org_id].kind != OrganisationKind.COMMAND_CENTRE:
                for path in paths:
                    serving.setdefault(path, []).append(org_id)
        self.grids = []
        for grid in Grid.objects.filter(is_active=True).order_by("id"):
            point = shape(grid.boundary).representative_point() if grid.boundary else None
            command = routing.command_for(grid.region_path)
            parts = grid.region_path.strip("/").split("/")
            owners = [
                org_id
                for depth in range(1, len(parts) + 1)
                for org_id in serving.get("/" + "/".join(parts[:depth]) + "/", ())
            ]
            self.grids.append(
                (
                    grid.pk,
                    grid.community_id,
                    grid.region_path,
                    command.pk if command else None,
                    owners or [command.pk if command else None],
                    round(point.x, 6) if point else None,
                    round(point.y, 6) if point else None,
                )
            )
        if not self.grids:
            raise SystemExit("no active grids: load the regions first")
        leaves = Category.objects.filter(enabled=True, children__isnull=True).order_by("id")
        self.categories = [(c.pk, c.name, RESOLVE_HOURS[c.pk % 4] * 3600) for c in leaves]
        if not self.categories:
            raise SystemExit("no enabled categories")


def _stamp(vendor: str):
    """Epoch seconds → the text each database stores for an aware datetime (UTC)."""
    days: dict[int, str] = {}
    hours_minutes = [f" {m // 60:02d}:{m % 60:02d}" for m in range(1440)]
    seconds_text = [f":{s:02d}{'+00' if vendor == 'postgresql' else ''}" for s in range(60)]

    def stamp(seconds: int | None):
        if seconds is None:
            return None
        day, rest = divmod(seconds, DAY)
        text = days.get(day)
        if text is None:
            text = days[day] = dt.date.fromordinal(719163 + day).isoformat()
        minute, second = divmod(rest, 60)
        return text + hours_minutes[minute] + seconds_text[second]

    return stamp


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low))


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(0, sigma) * median


# -- writing ----------------------------------------------------------------------------------


def _columns(model) -> list:
    return [f for f in model._meta.concrete_fields]


def _defaults(model, given: set[str]) -> list:
    """The other columns' values, the same for every row (their field defaults)."""
    out = []
    for f in _columns(model):
        if f.attname in given or f.primary_key:  # the database numbers the rows
            continue
        value = f.get_default()
        out.append((f.column, f.get_db_prep_save(value, connection=_connection())))
    return out


def _sealed(value: str) -> tuple[str, str]:
    """A personal value as its sealed field stores it, and its digest (core.crypto)."""
    from gongzhi.core import crypto

    return crypto.seal(value), crypto.digest(value)


def _connection():
    from django.db import connection

    return connection


class Loader(threading.Thread):
    """Writes the batches on the database connection while the next ones are being made
    (the driver waits for the server without the GIL)."""

    def __init__(self):
        super().__init__(daemon=True)
        connection = _connection()
        connection.ensure_connection()
        self.raw, self.vendor = connection.connection, connection.vendor
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._write(*item)
                except BaseException as error:  # raised in the generating thread
                    self.error = error

    def _write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if self.vendor == "postgresql":
            with self.raw.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )

    def put(self, item) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def close(self) -> None:
        self.queue.put(None)
        self.join()
        if self.error is not None:
            raise self.error


class Writer:
    """Rows into one table, in batches handed to the loader."""

    def __init__(self, model, fields: tuple[str, ...], loader: Loader, raw: tuple[str, ...] = ()):
        connection = _connection()
        self.vendor = connection.vendor
        self.loader = loader
        self.table = model._meta.db_table
        by_attname = {f.attname: f for f in _columns(model)}
        # RAW: columns the database has beyond the model's, given after FIELDS in each row.
        columns = [by_attname[name].column for name in fields] + list(raw)
        extra = _defaults(model, set(fields))
        columns += [c for c, _ in extra]
        self.columns = [connection.ops.quote_name(c) for c in columns]
        self.tail = tuple(self._value(v) for _, v in extra)
        self.rows: list[tuple] = []
        self.written = 0

    def _value(self, value):
        if isinstance(value, dict | list):
            return json.dumps(value)
        if hasattr(value, "obj"):  # psycopg's Jsonb wrapper
            return json.dumps(value.obj)
        if self.vendor == "sqlite" and isinstance(value, bool):
            return int(value)
        return value

    def add(self, row: tuple) -> None:
        self.rows.append(row + self.tail)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.loader.put((self.table, self.columns, self.rows))
            self.written += len(self.rows)
            self.rows = []


@contextmanager
def _fast_load(tables: list[str]):
    """Drop the tables' secondary indexes and turn off foreign-key checks and the journal
    for the load (outside a transaction only), then build the indexes again and analyse."""
    connection = _connection()
    if connection.in_atomic_block:
        yield {}
        return
    timings = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A load and its index builds outlast the web's statement timeout (settings).
            cursor.execute("SET statement_timeout = 0")
        saved = []
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname"
                    " NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [table, table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                    " AND sql IS NOT NULL",
                    [table],
                )
            for name, sql in cursor.fetchall():
                saved.append(sql)
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = OFF")
    try:
        from django.db import transaction

        with transaction.atomic():
            yield timings
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute("SET maintenance_work_mem = '512MB'")
            else:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
                cursor.execute("PRAGMA foreign_keys = ON")
            for sql in saved:
                cursor.execute(sql)
            timings["indexes_s"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
            timings["analyze_s"] = round(time.perf_counter() - started, 1)


# -- the cases -------------------------------------------------------------------------------


CASE_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "number",
    "title",
    "description",
    "category_id",
    "channel",
    "state",
    "is_urgent",
    "reporter_name",
    "reporter_phone",
    "reporter_phone_digest",
    "lng",
    "lat",
    "grid_id",
    "region_id",
    "region_path",
    "command_id",
    "owner_id",
    "sign_for_due",
    "resolve_due",
    "dispatched_at",
    "signed_at",
    "resolved_at",
    "closed_at",
    "sign_for_met",
    "resolve_met",
    "is_overdue",
    "overdue_notified_at",
    "result",
    "tracking_token",
)
CALLBACK_FIELDS = ("case_id", "created_at", "updated_at", "resolved", "satisfaction", "by_phone")
EVENT_FIELDS = ("case_id", "at", "action", "from_state", "to_state", "is_public")
# The steps of a case's life as the engine writes them: (action, from, to, index in _life's row).
STEPS = (
    ("accept", "reported", "accepted", 1),
    ("dispatch", "accepted", "dispatched", 1),
    ("sign_for", "dispatched", "in_progress", 2),
    ("resolve", "in_progress", "resolved", 3),
    ("verify_pass", "resolved", "closed", 4),
)


def demo_texts(
    per_category: int = 40, *, seed: int = SEED
) -> dict[int, list[tuple[str, str, str]]]:
    """Per category, up to PER_CATEGORY of the cases already there: (title, words, result);
    for a category without any, as many drawn from the demo's stories (``demo.texts``)."""
    from gongzhi.cases.models import Case
    from gongzhi.demo.texts import TEXTS, render, words
    from gongzhi.taxonomy.models import Category

    texts: dict[int, list[tuple[str, str, str]]] = {}
    rows = Case.objects.order_by("id").values_list("category_id", "title", "description", "result")
    for category_id, title, description, result in rows[:20_000].iterator():
        bucket = texts.setdefault(category_id, [])
        if len(bucket) < per_category:
            bucket.append((title, description, result))
    rng = random.Random(seed)
    for category_id, full_name in Category.objects.values_list("id", "full_name"):
        story = TEXTS.get(full_name)
        if category_id in texts or story is None or not story.titles:
            continue
        bucket = texts[category_id] = []
        for _ in range(per_category):
            said = words(rng)
            bucket.append(
                (
                    render(rng.choice(story.titles), said),
                    render(rng.choice(story.descriptions), said) if story.descriptions else "",
                    render(rng.choice(story.results), said) if story.results else "",
                )
            )
    return texts


def generate(
    n: int,
    *,
    days: int = 900,
    now: dt.datetime | None = None,
    seed: int = SEED,
    texts: dict[int, list[tuple[str, str, str]]] | None = None,
    timelines: bool = False,
    progress=None,
) -> dict:
    """Write N cases reported over the last DAYS days (and their callbacks and returns).

    TEXTS (``demo_texts()``): the words of each category's cases to copy, else the category's
    name is the title; TIMELINES: every step's timeline entry, else only the returns';
    PROGRESS: called with (written, n) every CHUNK cases."""
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from gongzhi.cases.models import Callback, Case, CaseEvent, CaseNumberSequence

    started = time.perf_counter()
    rng = random.Random(seed)
    places = Places()
    now_s = int((now or timezone.now()).timestamp())
    begin = now_s - days * DAY
    step = days * DAY / max(n, 1)
    stamp = _stamp(connection.vendor)
    prefix = settings.GONGZHI.get("CASE_PREFIX", "HD")
    first_id = (Case.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    channels = [c for c, w in CHANNELS for _ in range(w)]
    grids, categories = places.grids, places.categories
    texts = texts or {}
    counters: dict[str, int] = {
        row["day"].strftime("%Y%m%d"): row["last"]
        for row in CaseNumberSequence.objects.filter(prefix=prefix).values("day", "last")
    }
    day_keys: dict[int, str] = {}
    random_ = rng.random
    n_grids, n_categories = len(grids), len(categories)
    stats = {"callbacks": 0, "returned": 0, "open": 0, "overdue": 0}
    tables = [m._meta.db_table for m in (Case, Callback, CaseEvent)]
    with _fast_load(tables) as timings:
        loader = Loader()
        # PostgreSQL's search vector (cases.search), computed once per text rather than by
        # the trigger for every row.
        vectors: dict[tuple[str, str], str] | None = (
            {} if connection.vendor == "postgresql" else None
        )
        cases = Writer(
            Case, CASE_FIELDS, loader, raw=("search_vector",) if vectors is not None else ()
        )
        callbacks = Writer(Callback, CALLBACK_FIELDS, loader)
        events = Writer(CaseEvent, EVENT_FIELDS, loader)
        for i in range(n):
            pk = first_id + i
            created = int(begin + (i + rng.random()) * step)
            day = (created + LOCAL_OFFSET) // DAY
            day_key = day_keys.get(day)
            if day_key is None:
                day_key = day_keys[day] = dt.date.fromordinal(719163 + day).strftime("%Y%m%d")
            seq = counters[day_key] = counters.get(day_key, 0) + 1
            grid_id, community_id, path, command_id, owners, lng, lat = grids[
                int(random_() * n_grids)
            ]
            category_id, category_name, resolve_sla = categories[int(random_() * n_categories)]
            words = texts.get(category_id)
            if words:
                title, description, result = words[int(random_() * len(words))]
            else:
                title, description, result = category_name, "", "已处理"
            channel = channels[int(random_() * 100)]
            urgent = random_() < 0.03
            hotline = channel == "hotline"
            row = _life(rng, created, now_s, resolve_sla, urgent)
            state, dispatched, signed, resolved, closed, sign_due, resolve_due = row
            owner_id = owners[int(random_() * len(owners))] if dispatched is not None else None
            sign_met = None if sign_due is None else _met(signed, sign_due, now_s)
            resolve_met = None if resolved is None else resolved <= resolve_due
            open_ = closed is None
            overdue = resolve_due is not None and (resolved or now_s) > resolve_due
            stats["open"] += open_
            stats["overdue"] += overdue
            updated = max(t for t in (created, dispatched, signed, resolved, closed) if t)
            cases.add(
                (
                    pk,
                    stamp(created),
                    stamp(updated),
                    f"{prefix}-{day_key}-{seq:06d}",
                    title,
                    description,
                    category_id,
                    channel,
                    state,
                    urgent,
                    (rng.choice(SURNAMES) + "先生") if hotline else "",
                    *_sealed(f"139{int(random_() * 10**8):08d}" if hotline else ""),
                    lng,
                    lat,
                    grid_id,
                    community_id,
                    path,
                    command_id,
                    owner_id,
                    stamp(sign_due),
                    stamp(resolve_due),
                    stamp(dispatched),
                    stamp(signed),
                    stamp(resolved),
                    stamp(closed),
                    sign_met,
                    resolve_met,
                    overdue,
                    stamp(resolve_due) if overdue else None,
                    (result or "已处理") if closed and resolved else "",
                    f"{rng.getrandbits(64):016x}",
                )
                + (() if vectors is None else (_vector(vectors, title, description),))
            )
            if timelines:
                _timeline(events, pk, created, row, stamp)
            if signed is not None and rng.random() < 0.05:
                # A unit sent it back once (退回), and the centre dispatched it again.
                at = stamp(signed + _between(rng, 60, 3600))
                events.add((pk, at, "return", "dispatched", "returned", False))
                stats["returned"] += 1
            if state == "closed" and rng.random() < 0.68:
                stats["callbacks"] += _rate(rng, callbacks, pk, closed, hotline, stamp)
            if progress is not None and (i + 1) % CHUNK == 0:
                progress(i + 1, n)
        cases.flush()
        callbacks.flush()
        events.flush()
        loader.close()
        _numbers(prefix, counters, CaseNumberSequence)
        _reset_sequences([Case, Callback, CaseEvent])
    seconds = time.perf_counter() - started
    return {
        "cases": cases.written,
        "callbacks": callbacks.written,
        "events": events.written,
        "returned": stats["returned"],
        "open": stats["open"],
        "overdue": stats["overdue"],
        "grids": len(grids),
        "categories": len(categories),
        "days": days,
        "generate_s": round(seconds, 1),
        "cases_per_s": round(n / seconds) if seconds else None,
        **timings,
    }


def _vector(cache: dict, title: str, description: str) -> str:
    from gongzhi.cases.search import vector_literal

    key = (title, description)
    found = cache.get(key)
    if found is None:
        found = cache[key] = vector_literal(title, description)
    return found


def _timeline(events: Writer, pk: int, created: int, row: tuple, stamp) -> None:
    """The steps the case went through, as the engine would have written them."""
    state, dispatched, signed, resolved, closed = row[:5]
    events.add((pk, stamp(created), "report", "", "reported", True))
    if state in ("rejected", "merged"):
        events.add(
            (
                pk,
                stamp(closed),
                "reject" if state == "rejected" else "merge",
                "reported",
                state,
                True,
            )
        )
        return
    # Accepted a minute before dispatch (the generator does not keep the acceptance apart).
    times = (None, dispatched, signed, resolved, closed)
    for action, before, after, index in STEPS:
        at = times[index]
        if at is None:
            break
        if action == "accept":
            at -= 60
        events.add((pk, stamp(at), action, before, after, True))


def grow(target: int, *, days: int = 730, stdout=None, now: dt.datetime | None = None) -> dict:
    """Grow a loaded demo to TARGET cases (nothing when it holds as many already)."""
    from django.db import connection

    from gongzhi.accounts.models import User
    from gongzhi.cases.models import Case
    from gongzhi.demo.loader import DEMO_MARKER, NotADemoDatabase, check_demo_database

    check_demo_database()  # refuses a database with accounts or reports not the demo's
    if not User.objects.filter(username=DEMO_MARKER).exists():
        raise NotADemoDatabase("load the demo first: gongzhi demo load")
    have = Case.objects.count()
    missing = target - have
    if missing <= 0:
        return {"cases": 0, "had": have}

    def progress(done: int, n: int) -> None:
        if stdout is not None:
            stdout.write(f"{done:,} / {n:,}")

    texts = demo_texts()
    made = generate(
        missing, days=days, now=now, texts=texts, timelines=True, progress=progress, seed=have
    )
    started = time.perf_counter()
    from gongzhi.command import rollups

    rollups.rebuild()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")
    made["rollups_s"] = round(time.perf_counter() - started, 1)
    made["had"] = have
    return made


def _met(signed: int | None, due: int, now: int) -> bool | None:
    if signed is not None:
        return signed <= due
    return False if due < now else None


def _life(rng: random.Random, created: int, now: int, resolve_sla: int, urgent: bool) -> tuple:
    """(state, dispatched, signed, resolved, closed, sign-for due, resolve due) in epoch
    seconds, each None until it happens; what has not happened by NOW has not happened."""
    draw = rng.random()
    if draw < 0.02:  # rejected on acceptance (not the platform's business)
        return "rejected", None, None, None, created + _between(rng, 600, 7200), None, None
    if draw < 0.03:  # merged into an earlier report of the same problem
        return "merged", None, None, None, created + _between(rng, 600, 7200), None, None
    dispatched = created + _between(rng, 120, 3 * 3600)
    if dispatched > now:
        return "accepted", None, None, None, None, None, None
    sign_due = dispatched + (1800 if urgent else 7200)
    signed = dispatched + int(_lognormal(rng, 2400, 0.8))  # ~9% after the 2 h deadline
    resolve_due = dispatched + resolve_sla
    if signed > now:
        return "dispatched", dispatched, None, None, None, sign_due, resolve_due
    resolved = signed + int(_lognormal(rng, resolve_sla * 0.3, 0.8))
    if resolved > now or rng.random() < 0.004:  # a few stuck for good: long overdue
        state = "returned" if rng.random() < 0.04 else "in_progress"
        return state, dispatched, signed, None, None, sign_due, resolve_due
    closed = resolved + _between(rng, 3600, 3 * DAY)
    if closed > now:
        return "resolved", dispatched, signed, resolved, None, sign_due, resolve_due
    return "closed", dispatched, signed, resolved, closed, sign_due, resolve_due


def _rate(rng, callbacks: Writer, pk: int, closed: int, by_phone: bool, stamp) -> int:
    """The reporter's callback(s): the latest one counts."""
    made = 0
    if rng.random() < 0.03:  # rated badly, then called again after more work
        at = stamp(closed - _between(rng, 3600, DAY))
        callbacks.add((pk, at, at, False, "unsatisfied", by_phone))
        made += 1
    draw = rng.random()
    satisfaction = "satisfied" if draw < 0.74 else "basic" if draw < 0.9 else "unsatisfied"
    solved = rng.random() < (0.95 if satisfaction != "unsatisfied" else 0.3)
    at = stamp(closed - _between(rng, 60, 3600))
    callbacks.add((pk, at, at, solved, satisfaction, by_phone))
    return made + 1


def _numbers(prefix: str, counters: dict[str, int], model) -> None:
    """The day counters, so that intake's next number follows the generated ones."""
    rows = [
        model(prefix=prefix, day=dt.datetime.strptime(k, "%Y%m%d").date(), last=v)
        for k, v in counters.items()
    ]
    model.objects.filter(prefix=prefix).delete()
    model.objects.bulk_create(rows, batch_size=2000)


def _reset_sequences(models) -> None:
    from django.core.management.color import no_style

    connection = _connection()
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
