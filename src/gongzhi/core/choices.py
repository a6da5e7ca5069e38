"""Choice sets whose members carry a colour and an order (NetBox's ChoiceSet, on Django's
TextChoices), so a badge, a map point, a legend and the API all ask the state itself::

    class State(ChoiceSet):
        REPORTED = "reported", _("Reported"), Look("#6366f1", order=10)
        CLOSED = "closed", _("Closed"), Look("#6b7280", order=90)

    State.REPORTED.colour                  "#6366f1"
    State.colour_of("closed")              "#6b7280"; NEUTRAL for a value it does not know
    State.ordered()                        the members by their order, not their declaration
    State.colours()                        {"reported": "#6366f1", ...} for a page's script

Values, labels and the declaration order are Django's, so a model field's choices (and its
migrations) do not change when a set gains colours. A member without a ``Look`` is
``NEUTRAL`` and sorts after those with one, in declaration order.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models

# The grey of anything that has no colour of its own (Tailwind's gray-500).
NEUTRAL = "#6b7280"
_LAST = 1_000_000


@dataclass(frozen=True)
class Look:
    """How a member is shown: its colour (a CSS colour) and its place in lists."""

    colour: str = NEUTRAL
    order: int = _LAST


class ChoiceSetType(type(models.TextChoices)):
    """Takes a trailing ``Look`` off each member before Django reads its value and label."""

    def __new__(metacls, classname, bases, classdict, **kwds):
        looks = {}
        for key in list(classdict._member_names):
            value = classdict[key]
            if isinstance(value, tuple) and value and isinstance(value[-1], Look):
                looks[key] = value[-1]
                # As Django does: dict.__setitem__ skips the enum dict's double-assignment check.
                dict.__setitem__(classdict, key, value[:-1])
        cls = super().__new__(metacls, classname, bases, classdict, **kwds)
        for position, member in enumerate(cls):
            member._look_ = looks.get(member.name, Look())
            member._position_ = position
        return cls


class ChoiceSet(models.TextChoices, metaclass=ChoiceSetType):
    """TextChoices whose members know their colour and order (see the module's docstring)."""

    @enum.property
    def colour(self) -> str:
        return self._look_.colour

    @enum.property
    def order(self) -> int:
        return self._look_.order

    @classmethod
    def ordered(cls) -> list[ChoiceSet]:
        """The members in their order; ties keep the declaration's."""
        return sorted(cls, key=lambda member: (member.order, member._position_))

    @classmethod
    def colour_of(cls, value, default: str = NEUTRAL) -> str:
        """The colour of a stored value (a plain string from the database, or a member)."""
        try:
            return cls(value).colour
        except ValueError:
            return default

    @classmethod
    def label_of(cls, value) -> str:
        """The label of a stored value; the value itself when the set does not know it."""
        try:
            return str(cls(value).label)
        except ValueError:
            return value or ""

    @classmethod
    def colours(cls) -> dict[str, str]:
        """``{value: colour}`` for every member, in declaration order (JSON for a script)."""
        return {member.value: member.colour for member in cls}
