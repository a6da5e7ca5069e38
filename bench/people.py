"""The people register: importing residents from Excel (issue 17), on SQLite and on
PostgreSQL (when one answers at BENCH_PG_URL).

**import**: for each database a fresh platform gets the 海东 demo regions and people; a
workbook of ROWS residents (in houses and households shaped like the demo's: about 3
residents a household, 1.3 households a house, a tenth of the houses rented to migrants
whose stays end) is written in a temporary directory, over the 乐都区 communities and
grids, and imported by the county command centre's dispatcher (``demo_dispatcher_county``)
through ``gongzhi.people.imports.do_import`` — the page's and the command's service — in a
process of its own, whose peak resident memory (VmHWM: Django, the file, the rows) is the
figure. Time is given as wall-clock and as CPU seconds (the machine may be shared).
The file is saved as Excel and WPS save one (strings in the shared table, the sheet's size
stated): openpyxl itself writes every string inline, which reads twice as slowly. Beside it, in the same run: the time openpyxl takes merely to read the same
file in read-only mode (the floor of an import read by openpyxl; python-calamine, used when
installed, reads it in a sixth of that), and the time to write it. The import's own time is
split into reading and checking the file, and writing it.

Prints one JSON object. Targets (issue 17): >= 5,000 rows/s, under 500 MB.

    python bench/people.py [--rows 100000] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _child import child_env, run_child
from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260417
IMPORTER = "demo_dispatcher_county"  # the 乐都区 command centre: governs the county
HOME_COUNTY = "630202"


# -- databases and child processes ----------------------------------------------------------


def on_databases(databases: str, tag: str, fn) -> dict:
    """``fn(database_url or None)`` on each database named, PostgreSQL in a database of its
    own made and dropped here."""
    found = {}
    for name in databases.split(","):
        if name == "sqlite":
            found["sqlite"] = fn(None)
        elif name == "postgresql":
            url, reason = postgres_database(f"gongzhi_bench_people_{tag}")
            if url is None:
                found["postgresql"] = {"skipped": reason}
                continue
            try:
                found["postgresql"] = fn(url)
            finally:
                drop_postgres(url)
    return found


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def max_rss_mb() -> float:
    # Linux reports kilobytes, macOS bytes.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


# -- import ------------------------------------------------------------------------------------


def import_section(opts) -> dict:
    """Per database: a fresh platform and the workbook (one process), the import (another,
    started from this small one, so that its peak memory is the import's alone)."""

    def one(database_url):
        var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-people-")
        try:
            env = child_env(database_url, var_dir)
            path = str(Path(var_dir) / "residents.xlsx")
            prepared = run_child(
                __file__, ["--child", "prepare", "--rows", str(opts.rows), path], env
            )
            if "error" in prepared:
                return prepared
            result = run_child(__file__, ["--child", "import-file", path], env)
            out = {**prepared, **result}
            if "seconds" in result:
                out["rows_per_s"] = round(opts.rows / result["seconds"])
                out["rows_per_cpu_s"] = round(opts.rows / result["cpu_s"])
                out["import_vs_read"] = round(result["cpu_s"] / prepared["baseline_read_cpu_s"], 2)
            return out
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)

    found = on_databases(opts.databases, "import", one)
    return {"rows": opts.rows, **found}


def prepare_child(opts) -> dict:
    """Migrate, load the demo places and people, write the workbook, and read it once with
    openpyxl (the baseline)."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.demo import accounts, regions

    call_command("migrate", verbosity=0, interactive=False)
    regions.load()
    accounts.load()
    path = Path(opts.file)
    started = time.perf_counter()
    write_workbook(path, opts.rows)
    write_s = time.perf_counter() - started
    wall, cpu = read_only(path)
    return {
        "vendor": connection.vendor,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "write_file_s": round(write_s, 1),
        "baseline_read_s": round(wall, 2),
        "baseline_read_cpu_s": round(cpu, 2),
        "baseline_read_rows_per_cpu_s": round(opts.rows / cpu),
    }


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM (Linux, reset at exec), else maxrss."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return max_rss_mb()


def import_file_child(path: str) -> dict:
    """A process that only imports: its peak memory is the import's (and Django's)."""
    setup_django()
    from gongzhi.accounts.models import User
    from gongzhi.people import imports
    from gongzhi.people.imports import ImportRefused, do_import
    from gongzhi.people.models import House, Household, Resident, Stay

    # The writing's share (the rest is reading and checking the file), timed around the
    # import's own step.
    write_s: list[float] = []
    write = imports._write

    def timed_write(plan):
        started = time.perf_counter()
        write(plan)
        write_s.append(time.perf_counter() - started)

    imports._write = timed_write
    user = User.objects.get(username=IMPORTER)
    before = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        report = do_import(file=path, actor=user, filename="residents.xlsx")
    except ImportRefused as refused:
        first = refused.report.problems[:5]
        raise SystemExit(f"refused: {[p.as_dict() for p in first]}") from None
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "read_and_check_s": round(seconds - sum(write_s), 2),
        "write_s": round(sum(write_s), 2),
        "peak_mb": peak_mb(),
        "peak_mb_before_import": before,
        "written": {
            "residents": Resident.objects.count(),
            "households": Household.objects.count(),
            "houses": House.objects.count(),
            "stays": Stay.objects.count(),
            "heads": Household.objects.filter(head__isnull=False).count(),
        },
        "report": report.as_dict(),
    }


def read_only(path: Path) -> tuple[float, float]:
    """The floor: openpyxl reading every cell of the file in read-only mode, nothing else
    (wall-clock and CPU seconds)."""
    from openpyxl import load_workbook

    started, cpu = time.perf_counter(), time.process_time()
    book = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    if count <= 1:
        raise SystemExit("the workbook is empty")
    return time.perf_counter() - started, time.process_time() - cpu


SURNAMES = "马韩李王张祁朱刘赵冶陈杨汪鲁宋何吕"
GIVEN = "成林秀英福海玉兰建国海燕永福志强学军春花国栋长青文静晓燕"
STREETS = ("西关街", "东关街", "南大街", "北大街", "民主路", "解放路", "团结巷", "新村路")
RELATIONS = ("配偶", "子女", "子女", "父母", "孙子女", "兄弟姐妹", "其他亲属")


def write_workbook(path: Path, rows: int) -> None:
    """ROWS residents of the home county's communities, in the template's columns."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from gongzhi.accounts.validators import id_check_digit
    from gongzhi.people.imports import COLUMNS, SHEET
    from gongzhi.regions.models import Grid

    rng = random.Random(SEED)
    grids = list(
        Grid.objects.filter(is_active=True, region_path__contains=f"/{HOME_COUNTY}/")
        .select_related("community")
        .order_by("code")
    )
    if not grids:
        raise SystemExit("no grids in the home county")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append([c.header for c in COLUMNS])
    born0 = dt.date(1940, 1, 1)
    today = dt.date.today()
    made, house_no = 0, 0
    while made < rows:
        house_no += 1
        grid = grids[house_no % len(grids)]
        address = (
            f"{grid.community.name}{STREETS[house_no % len(STREETS)]}"
            f"{house_no}号{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
        )
        rented = rng.random() < 0.1
        use = "出租" if rented else rng.choice(("自住", "自住", "自住", "经营"))
        households = 2 if rng.random() < 0.3 else 1
        for h in range(households):
            number = f"{house_no:06d}-{h + 1}"
            for member in range(rng.choice((1, 2, 3, 3, 4, 5))):
                if made >= rows:
                    break
                born = born0 + dt.timedelta(days=made % 25_000)
                serial = made // 25_000 * 2 + rng.randint(0, 1)
                first17 = f"{HOME_COUNTY}{born:%Y%m%d}{serial:03d}"
                moved_in = max(born, dt.date(2000, 1, 1)) + dt.timedelta(days=rng.randint(0, 3000))
                moved_in = min(moved_in, today)
                sheet.append(
                    [
                        grid.community.name,
                        grid.code,
                        address,
                        use,
                        number,
                        rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                        first17 + id_check_digit(first17),
                        f"139{rng.randrange(10**8):08d}",
                        "户主" if member == 0 else rng.choice(RELATIONS),
                        "流动" if rented else "户籍",
                        moved_in.isoformat(),
                        (today + dt.timedelta(days=rng.randint(30, 700))).isoformat()
                        if rented
                        else None,
                    ]
                )
                made += 1
    book.save(path)
    to_shared_strings(path, get_column_letter(len(COLUMNS)).encode())


INLINE = re.compile(rb'<c ([^>]*?)t="inlineStr"><is><t>([^<]*)</t></is></c>')
SHARED_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />'
)
SHARED_REL = (
    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdShared" />'
)


def to_shared_strings(path: Path, last_column: bytes) -> None:
    """Rewrite a workbook openpyxl wrote (every string inline in the sheet, slow to read) as
    Excel and WPS save one, the file an office uploads: each string once in the shared
    table, the sheet naming it by number."""
    strings: list[bytes] = []
    index: dict[bytes, int] = {}

    def shared(match):
        text = match.group(2)
        number = index.get(text)
        if number is None:
            number = index[text] = len(strings)
            strings.append(text)
        return b"<c " + match.group(1) + b't="s"><v>%d</v></c>' % number

    temp = path.with_suffix(".shared")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = INLINE.sub(shared, data)
                # Excel states the sheet's size first (openpyxl's reader needs no pass to
                # find it then).
                size = b'<dimension ref="A1:%s%d" />' % (last_column, data.count(b"<row "))
                data = data.replace(b"<sheetViews>", size + b"<sheetViews>", 1)
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SHARED_TYPE + b"</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", SHARED_REL + b"</Relationships>")
            out.writestr(item.filename, data)
        count = b'count="%d" uniqueCount="%d"' % (len(strings), len(strings))
        out.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            + count
            + b">"
            + b"".join(b"<si><t>%s</t></si>" % s for s in strings)
            + b"</sst>",
        )
    temp.replace(path)


# -- the whole run -----------------------------------------------------------------------------


def targets(result: dict) -> dict:
    found = {}
    for db in ("sqlite", "postgresql"):
        figures = result.get("import", {}).get(db, {})
        if "rows_per_s" in figures:
            found[f"{db}_import_at_least_5000_rows_per_s"] = figures["rows_per_s"] >= 5000
            found[f"{db}_import_at_least_5000_rows_per_cpu_s"] = figures["rows_per_cpu_s"] >= 5000
            found[f"{db}_import_under_500_mb"] = figures["peak_mb"] < 500
    for name, met in result.get("pages", {}).get("targets", {}).items():
        found[f"pages_{name}"] = met
    return found


def pages_section(opts) -> dict:
    """The visits-due list, the residents list, the API list and the township's figures at
    10,000 and 1,000,000 residents (``_people_pages.py``, which also runs on its own)."""
    import _people_pages

    return _people_pages.measure(opts)


SECTIONS = {"import": import_section, "pages": pages_section}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sections", default=",".join(SECTIONS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child == "prepare":
        print(json.dumps(prepare_child(opts), ensure_ascii=False))
        return 0
    if opts.child == "import-file":
        print(json.dumps(import_file_child(opts.file), ensure_ascii=False))
        return 0
    result: dict = {"benchmark": "people"}
    for name in opts.sections.split(","):
        result[name] = SECTIONS[name](opts)
    result["targets"] = targets(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
