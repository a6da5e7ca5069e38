"""Importing residents from Excel: every row checked, every problem listed by row and
column, nothing half-imported; the template; the page; the command; who may import."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from gongzhi.core.errors import NotAllowed
from gongzhi.core.models import AuditLog
from gongzhi.people import imports
from gongzhi.people.models import House, Household, Resident, Stay
from tests.people.factories import id_number

HEADERS = [c.header for c in imports.COLUMNS]
LETTER = {c.key: chr(ord("A") + i) for i, c in enumerate(imports.COLUMNS)}


def row(w, n: int, **values) -> dict:
    """A good row: the n-th resident, four to a household, in 西关社区's first grid."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=n % 5000)
    data = {
        "community": "西关社区",
        "grid": w.grid.code,
        "address": f"海东市乐都区碾伯镇新民街{n // 8 + 1}号",
        "use": "自住",
        "number": f"N{n // 4:05d}",
        "name": "韩成林",
        "id_number": id_number(born, 400 + n // 5000, sex="male" if n % 2 else "female"),
        "phone": "13909721234",
        "relation": "户主" if n % 4 == 0 else "子女",
        "kind": "户籍",
        "moved_in": "2015-03-01",
        "stay_until": None,
    }
    data.update(values)
    return data


def workbook(rows, path) -> str:
    book = Workbook()
    sheet = book.active
    sheet.title = imports.SHEET
    sheet.append(HEADERS)
    for r in rows:
        sheet.append([r[c.key] for c in imports.COLUMNS])
    book.save(path)
    return str(path)


def problems_at(report) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in report.problems}


@pytest.fixture(autouse=True)
def uploads_kept_apart(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the uploads waiting for confirmation


@pytest.fixture
def importer(ppl):
    return ppl.community_officer  # 西关社区's committee: governs 西关社区


@pytest.fixture(params=["calamine", "openpyxl"])
def reader(request, monkeypatch):
    """Each way the import reads a workbook (openpyxl without python-calamine)."""
    if request.param == "openpyxl":
        monkeypatch.setattr(imports, "CalamineWorkbook", None)
    elif imports.CalamineWorkbook is None:
        pytest.skip("python-calamine is not installed")
    return request.param


def test_a_10000_row_file_with_bad_rows_lists_every_one_and_imports_nothing(
    ppl, importer, tmp_path
):
    w = ppl
    rows = [row(w, n) for n in range(10_000)]
    good_id = rows[101]["id_number"]
    rows[100]["id_number"] = rows[100]["id_number"][:-1] + (
        "0" if rows[100]["id_number"][-1] != "0" else "1"
    )  # a wrong check digit
    rows[2000]["id_number"] = good_id  # the number of row 103 (the sheet's 101st row)
    rows[3000]["id_number"] = w.resident.id_number  # a current resident's
    rows[4000]["name"] = ""
    rows[5000]["community"] = "东村"  # 平安区: outside the officer's area
    rows[6000]["community"] = "东关社区"  # the same township, another community
    rows[7000]["moved_in"] = "yesterday"
    rows[8000]["relation"] = "邻居"
    residents, houses = Resident.objects.count(), House.objects.count()

    with pytest.raises(imports.ImportRefused) as refused, translation.override("en"):
        imports.do_import(file=workbook(rows, tmp_path / "bad.xlsx"), actor=importer)

    report = refused.value.report
    # Sheet row = index + 2 (the header is row 1).
    assert problems_at(report) == {
        (102, LETTER["id_number"]),
        (2002, LETTER["id_number"]),
        (3002, LETTER["id_number"]),
        (4002, LETTER["name"]),
        (5002, LETTER["community"]),
        (6002, LETTER["community"]),
        (7002, LETTER["moved_in"]),
        (8002, LETTER["relation"]),
    }
    messages = {(p.row, p.column): p.message for p in report.problems}
    assert "check digit" in messages[102, LETTER["id_number"]]
    assert "row 103" in messages[2002, LETTER["id_number"]]
    assert "already registered" in messages[3002, LETTER["id_number"]]
    assert "outside your area" in messages[6002, LETTER["community"]]
    assert report.bad_rows == 8 and report.rows == 10_000
    assert Resident.objects.count() == residents
    assert House.objects.count() == houses

    # The same file, corrected, imports every row.
    rows[100]["id_number"] = id_number(dt.date(1980, 5, 5), 450)
    rows[2000]["id_number"] = id_number(dt.date(1980, 5, 6), 450)
    rows[3000]["id_number"] = id_number(dt.date(1980, 5, 7), 450)
    rows[4000]["name"] = "马秀英"
    rows[5000]["community"] = rows[6000]["community"] = "630202100001"  # by its code
    rows[7000]["moved_in"] = "2019年5月1日"
    rows[8000]["relation"] = "其他亲属"
    report = imports.do_import(file=workbook(rows, tmp_path / "good.xlsx"), actor=importer)

    assert report.written and report.residents == 10_000
    assert Resident.objects.count() == residents + 10_000
    assert report.households_new == 2500 and report.houses_new == 1250
    household = Household.objects.get(number="N00000")
    assert household.head.id_number == rows[0]["id_number"]
    assert household.residents.count() == 4
    imported = Resident.objects.get(id_number=rows[1]["id_number"])
    assert imported.birth_date == dt.date(1960, 1, 2) and imported.sex == "male"
    assert imported.grid_id == w.grid.pk and imported.region_path == w.grid.community.path
    assert Resident.objects.get(id_number=rows[7000]["id_number"]).moved_in == dt.date(2019, 5, 1)


def test_houses_and_households_are_matched_and_tenants_get_a_stay(ppl, importer, tmp_path, reader):
    w = ppl
    until = dt.date.today() + dt.timedelta(days=300)
    rows = [
        # Into the existing household 0001 of an existing house, which has no head yet.
        row(w, 1, address=w.house.address, number="0001", relation="配偶"),
        # A migrant tenant in a new rented house: the stay ends.
        row(
            w,
            2,
            address="海东市乐都区碾伯镇西关街99号",
            use="出租",
            number="",
            relation="租户",
            kind="流动",
            stay_until=until.isoformat(),
        ),
        row(w, 3, address="海东市乐都区碾伯镇西关街98号", number="", relation="租户", kind="流动"),
        # The existing household's head, which it lacked.
        row(w, 4, address=w.house.address, number="0001", relation="户主"),
    ]
    with pytest.raises(imports.ImportRefused) as refused:
        imports.do_import(file=workbook(rows, tmp_path / "a.xlsx"), actor=importer)
    assert problems_at(refused.value.report) == {(4, LETTER["stay_until"])}  # a stay must end

    rows[2]["stay_until"] = until.isoformat()
    report = imports.do_import(file=workbook(rows, tmp_path / "b.xlsx"), actor=importer)
    assert (report.houses_matched, report.households_matched) == (1, 1)
    assert w.household.residents.filter(id_number=rows[0]["id_number"]).exists()
    tenant = Resident.objects.get(id_number=rows[1]["id_number"])
    assert tenant.household.house.use == "rented" and tenant.kind == "migrant"
    assert Stay.objects.get(resident=tenant).until == until
    w.household.refresh_from_db()
    assert w.household.head.id_number == rows[3]["id_number"]


def test_a_sheet_typed_by_hand_reads_as_its_rows_say(ppl, importer, tmp_path, reader):
    """Date and number cells, a blank row, the table moved one column right: values and
    row numbers as the sheet shows them."""
    w = ppl
    rows = [row(w, 1), row(w, 2), row(w, 3, moved_in="2031-01-01")]
    book = Workbook()
    sheet = book.active
    sheet.title = imports.SHEET
    sheet.append([None, *HEADERS])
    for n, r in enumerate(rows):
        cells = [r[c.key] for c in imports.COLUMNS]
        if n == 0:
            cells[list(LETTER).index("moved_in")] = dt.date(2016, 7, 1)  # a date cell
            cells[list(LETTER).index("phone")] = 13909720000  # a number cell
        sheet.append([None, *cells])
        if n == 1:
            sheet.append([])  # a blank line between
    path = tmp_path / "typed.xlsx"
    book.save(path)

    with pytest.raises(imports.ImportRefused) as refused:
        imports.do_import(file=str(path), actor=importer)
    moved_in = chr(ord(LETTER["moved_in"]) + 1)  # one column right
    assert problems_at(refused.value.report) == {(5, moved_in)}  # the sheet's row 5

    rows.pop()
    sheet.delete_rows(5)
    book.save(path)
    assert imports.do_import(file=str(path), actor=importer).residents == 2
    first = Resident.objects.get(id_number=rows[0]["id_number"])
    assert first.moved_in == dt.date(2016, 7, 1) and first.phone == "13909720000"


def test_a_second_head_is_refused(ppl, importer, tmp_path):
    w = ppl
    w.household.head = w.resident
    w.household.save()
    rows = [
        row(w, 1, address=w.house.address, number="0001", relation="户主"),
        row(w, 2, number="X1", relation="户主"),
        row(w, 3, number="X1", relation="户主"),
    ]
    with pytest.raises(imports.ImportRefused) as refused:
        imports.do_import(file=workbook(rows, tmp_path / "h.xlsx"), actor=importer)
    assert problems_at(refused.value.report) == {(2, LETTER["relation"]), (4, LETTER["relation"])}


def test_the_template_downloads_and_imports_empty(ppl, importer, client, tmp_path, reader):
    client.force_login(importer)
    response = client.get(reverse("people:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == imports.CONTENT_TYPE
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book[imports.SHEET][1]] == HEADERS
    assert book[imports.SHEET].data_validations.dataValidation  # drop-down lists
    assert len(book.sheetnames) >= 2  # and the instructions
    upload = tmp_path / "template.xlsx"
    upload.write_bytes(response.content)

    with upload.open("rb") as f:
        page = client.post(reverse("people:import"), {"file": f})
    assert page.status_code == 200
    assert page.context["report"].rows == 0 and page.context["problem_count"] == 0
    assert b'data-testid="import-empty"' in page.content


def test_the_page_checks_then_imports_and_records_it(ppl, importer, client, tmp_path, reader):
    w = ppl
    client.force_login(importer)
    rows = [row(w, n) for n in range(12)]
    rows[5]["phone"] = "12345"
    with open(workbook(rows, tmp_path / "bad.xlsx"), "rb") as f:
        page = client.post(reverse("people:import"), {"file": f})
    assert page.status_code == 200
    assert b'data-testid="import-refused"' in page.content
    assert b'data-row="7" data-column="H"' in page.content  # the phone, row 7
    assert b"import-confirm" not in page.content
    problems = client.get(reverse("people:import_problems", args=[page.context["token"]]))
    sheet = load_workbook(io.BytesIO(problems.content)).active
    assert [c.value for c in sheet[2]][:2] == [7, "H"]

    rows[5]["phone"] = ""
    residents = Resident.objects.count()
    with open(workbook(rows, tmp_path / "good.xlsx"), "rb") as f:
        page = client.post(reverse("people:import"), {"file": f})
    assert b'data-testid="import-confirm"' in page.content
    assert Resident.objects.count() == residents  # checked, not written
    token = page.context["token"]

    # Nobody else can confirm it.
    client.force_login(w.admin)
    client.post(reverse("people:import_confirm", args=[token]))
    assert Resident.objects.count() == residents

    client.force_login(importer)
    done = client.post(reverse("people:import_confirm", args=[token]), follow=True)
    assert done.status_code == 200
    assert Resident.objects.count() == residents + 12
    assert re.search("12", " ".join(str(m) for m in done.context["messages"]))
    log = AuditLog.objects.get(action="import")
    assert log.actor == importer and "12 residents" in log.reason


def test_who_may_import(ppl, client, tmp_path):
    w = ppl
    path = workbook([row(w, 1)], tmp_path / "one.xlsx")
    for user in (w.grid_worker, w.justice_officer, w.handler):
        client.force_login(user)
        assert client.get(reverse("people:import")).status_code == 403
        assert client.get(reverse("people:import_template")).status_code == 403
        with pytest.raises(NotAllowed):
            imports.do_import(file=path, actor=user)
    client.logout()
    assert client.get(reverse("people:import")).status_code == 302  # to the login
    # The township's staff import into its communities; another county's do not.
    assert imports.do_import(file=path, actor=w.dispatcher).residents == 1
    with pytest.raises(imports.ImportRefused) as refused:
        imports.do_import(
            file=workbook([row(w, 2)], tmp_path / "two.xlsx"), actor=w.other_dispatcher
        )
    assert problems_at(refused.value.report) == {(2, LETTER["community"])}


def test_the_command(ppl, importer, tmp_path):
    w = ppl
    good = workbook([row(w, n) for n in range(3)], tmp_path / "good.xlsx")
    bad = workbook([row(w, 5, name="")], tmp_path / "bad.xlsx")
    out = io.StringIO()
    call_command("people", "import", good, "--as", importer.username, "--check", stdout=out)
    assert not Resident.objects.filter(name="韩成林", household__number="N00000").exists()
    call_command("people", "import", good, "--as", importer.username, stdout=out)
    assert Household.objects.get(number="N00000").residents.count() == 3
    with pytest.raises(CommandError):
        call_command("people", "import", bad, "--as", importer.username, stdout=out)
    assert f"2 {LETTER['name']}" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("people", "import", good, "--as", w.grid_worker.username, stdout=out)
