"""How a matter's steps and timeline are shown: names of the people who took part are
masked for residents (other residents' personal data), kept for the committee and the
township overseeing the village; phone and ID numbers written in text are always masked."""

from __future__ import annotations

import re

from gongzhi.accounts import masking

from ..choices import MatterState, MatterStepKind
from .workflow import OTHER_ENTRIES, RULES

# Steps whose ``proposer`` and ``participants`` are people's names (a meeting's step holds
# the meeting's figures instead).
NAMED = {MatterStepKind.PROPOSE, MatterStepKind.DELIBERATE}
_SEPARATORS = re.compile(r"([、，,;；\s]+)")


def mask_names(text: str) -> str:
    """Each name of a list written by hand (祁书记、韩文书 …) masked on its own."""
    parts = _SEPARATORS.split(text or "")
    return "".join(p if _SEPARATORS.fullmatch(p) or not p else masking.mask_name(p) for p in parts)


def masked_steps(rows: list[dict], *, staff: bool) -> list[dict]:
    out = []
    for row in rows:
        step = row["step"]
        shown = dict(row)
        if step is not None:
            named = step.kind in NAMED and not staff
            shown.update(
                proposer=mask_names(step.proposer) if named else step.proposer,
                participants=mask_names(step.participants) if named else step.participants,
                minutes=masking.mask_personal_in_text(step.minutes) or "",
            )
        out.append(shown)
    return out


def timeline_rows(events, *, staff: bool) -> list[dict]:
    rows = []
    for e in events:
        rule = RULES.get(e.action)
        label = rule.label if rule else OTHER_ENTRIES.get(e.action, e.action)
        actor = ""
        if e.actor_id:
            name = e.actor.display_name or e.actor.username
            actor = name if staff else masking.mask_name(name)
        rows.append(
            {
                "event": e,
                "label": label,
                "actor": actor,
                "note": masking.mask_personal_in_text(e.note or "") or "",
                "to": MatterState.label_of(e.to_state) if e.to_state else "",
                "moved": e.from_state != e.to_state and bool(e.to_state),
            }
        )
    return rows
