"""Category trees kept for one channel: the community app's 报事报修 goes only to the estate's
property company, so the general pickers (随手拍, the hotline, the offline picker, Open311's
service list) do not offer its categories and intake refuses them on any other channel.
Apps above cases reserve their trees when they start (``reserve``)."""

from __future__ import annotations

RESERVED: dict[str, str] = {}  # the root category's code -> the only channel that may use it


def reserve(code: str, channel: str) -> None:
    RESERVED[code] = channel


def reserved_paths(*, channel: str | None = None) -> list[str]:
    """The paths of the trees ``channel`` may not use (every reserved tree for None)."""
    codes = [code for code, only in RESERVED.items() if only != channel]
    if not codes:
        return []
    from gongzhi.cases.workflow import reference  # the rows it keeps in memory: no query

    rows = reference.table().enabled_by_code
    return [rows[code].path for code in codes if code in rows]


def offered(categories, *, channel: str | None = None) -> list:
    """The categories outside the trees reserved for other channels."""
    paths = reserved_paths(channel=channel)
    return [c for c in categories if not any(c.path.startswith(p) for p in paths)]
