"""How a person relates to a topic: the second half of each rule of the table."""

from __future__ import annotations

from .. import members


def neighbour(actor, topic, scope) -> bool:
    """An adult villager of the topic's village or community, by the register."""
    me = members.villager(actor)
    return me is not None and me.adult and me.region_id == topic.region_id


def author(actor, topic, scope) -> bool:
    """The villager who raised it."""
    return topic.author_id is not None and topic.author_id == actor.pk


def committee(actor, topic, scope) -> bool:
    """The village's committee (两委) and its clerk."""
    return members.covers(members.committee_paths(scope), topic.region_path)


def oversees(actor, topic, scope) -> bool:
    """The township (county, city) overseeing the village."""
    return members.covers(members.oversight_paths(scope), topic.region_path)


PREDICATES = {f.__name__: f for f in (neighbour, author, committee, oversees)}
