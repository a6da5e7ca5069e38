"""What each step of the council's table does to a registration, after the table allowed
it. Handlers validate their input, change fields (never ``state``) and may award points;
a refused step changes nothing (the engine's transaction is rolled back)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core.workflow import Outcome, text_param

from ..points import services as points

NOTE_MAX = 2000


def _note(params, *, required):
    return text_param(
        params, "note", label=_("the council's note"), required=required, max_length=NOTE_MAX
    )


def acknowledge(*, ceremony, actor, now, params) -> Outcome:
    """The council has seen the registration (and may say what it advises)."""
    note = _note(params, required=False)
    if note:
        ceremony.council_note = note
    return Outcome(note=note)


def hold(*, ceremony, actor, now, params) -> Outcome:
    """It took place. Within every cap, the household earns the modest-ceremony points
    (once: the source is the registration)."""
    note = _note(params, required=False)
    if note:
        ceremony.council_note = note
    awarded = False
    if not ceremony.warnings:
        entry = points.do_award(
            household_id=ceremony.household_id,
            rule_code="modest_ceremony",
            source=f"ceremony:{ceremony.pk}",
            by=actor,
            reason=_("A modest ceremony within the village's rules (移风易俗)"),
            now=now,
        )
        awarded = entry is not None
    return Outcome(note=note, data={"within_caps": not ceremony.warnings, "points": awarded})


def cancel(*, ceremony, actor, now, params) -> Outcome:
    return Outcome(note=_note(params, required=False))
