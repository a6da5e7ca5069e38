"""Reading message CSVs (the platform's exports or the Teddy 2020 files) into plain dicts."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from .evaluation import DataError

# Chinese column names of the 问政 exports → the names the triage functions use.
COLUMNS = {
    "留言编号": "id",
    "留言用户": "reporter",
    "留言主题": "title",
    "留言时间": "time",
    "留言详情": "text",
    "点赞数": "supports",
    "反对数": "against",
    "message_id": "id",
    "user": "reporter",
    "detail": "text",
    "likes": "supports",
}
TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)


def parse_time(value: str) -> datetime | None:
    value = (value or "").strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def read_messages(path: str | Path) -> list[dict]:
    """Rows as dicts with id, reporter, title, text, time (naive datetime or None), supports."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such file: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        names = {c: COLUMNS.get(c, c) for c in reader.fieldnames or []}
        if "title" not in names.values() and "text" not in names.values():
            raise DataError(f"need a title or text column (留言主题/留言详情); have {list(names)}")
        out = []
        for i, row in enumerate(reader):
            rec = {names[k]: v for k, v in row.items() if k in names}
            rec["id"] = rec.get("id") or str(i + 1)
            rec["time"] = parse_time(rec.get("time") or "")
            try:
                rec["supports"] = int(float(rec.get("supports") or 0))
            except ValueError:
                rec["supports"] = 0
            out.append(rec)
    return out
