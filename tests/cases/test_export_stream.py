"""Issue 25: the queue's Excel export is written to a temporary file and streamed from it
(never held whole in memory), with the same columns, the formula guard and the audit."""

import io

import pytest
from django.http import FileResponse
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.cases import exports
from gongzhi.core.models import AuditLog
from tests.factories import report

pytestmark = pytest.mark.django_db


def test_the_queue_export_streams_a_workbook_openpyxl_reads(client, world):
    w = world
    plain = report(w, title="井盖丢失")
    formula = report(w, title="=HYPERLINK(1)")
    client.force_login(w.dispatcher)
    response = client.get(reverse("cases:queue_export"))
    assert isinstance(response, FileResponse) and response.streaming
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    assert response["Content-Type"] == exports.CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(body), read_only=True).worksheets[0].values)
    assert rows[0][:2] == ("事件编号", "标题")
    titles = {row[0]: row[1] for row in rows[1:]}
    assert titles == {plain.number: "井盖丢失", formula.number: "'=HYPERLINK(1)"}
    assert AuditLog.objects.get(action="export").reason.startswith("queue (2)")
