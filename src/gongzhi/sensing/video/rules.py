"""A camera's rules, evaluated frame by frame on the tracks and motion of that frame.

Each rule has a zone (a polygon in 0..1 of the picture; empty: all of it) and fires a
``Hit`` once per episode, not once per frame:

* forbidden zone: when somebody is in the zone after it has been empty for ``QUIET``
  seconds (one event per visit, however the tracks break up);
* crowd: when more than ``people`` are in the zone for ``seconds``; again only once the
  count has dropped back for ``QUIET`` seconds;
* loitering: when one track has been in the zone longer than ``seconds``, once per track;
* object: something left or removed (``StillObjects``), no person, in the zone for
  ``seconds``;
* motion: like the forbidden zone, for any motion.

Times are the stream's (the position in a file, the clock for a live stream), so a file
analysed faster than real time keeps its timers right. The event's own dedup window
(``events.record_event``) comes on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .detect import Detection, Track, iou, overlap

QUIET = 1.0  # seconds a zone must be empty before a new visit counts (the tracker bridges gaps)


def inside(point: tuple[float, float], polygon: list) -> bool:
    """Whether ``point`` lies in ``polygon`` (ray casting); an empty polygon is everywhere."""
    if not polygon:
        return True
    x, y = point
    result = False
    j = len(polygon) - 1
    for i in range(len(polygon)):
        xi, yi = polygon[i]
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result


@dataclass
class Hit:
    rule_code: str
    at: float
    boxes: list
    details: dict


@dataclass
class RuleSpec:
    """What the evaluator needs of a ``Rule`` (plain, so tests need no database)."""

    code: str
    kind: str
    zone: list = field(default_factory=list)
    people: int = 1
    seconds: float = 0.0

    @classmethod
    def of(cls, rule) -> RuleSpec:
        return cls(rule.code, rule.kind, list(rule.zone or []), rule.people, rule.seconds)


@dataclass
class _State:
    last_busy: float | None = None  # when the zone last held what the rule looks for
    episode: bool = False  # an event fired and the zone has not been quiet since
    since: float | None = None  # when the current condition began (crowd)
    fired_tracks: set = field(default_factory=set)
    still: list = field(default_factory=list)  # [box, first seen, fired]


class RuleEvaluator:
    def __init__(self, rules: list[RuleSpec]):
        self.rules = rules
        self.state = {r.code: _State() for r in rules}

    def step(
        self, tracks: list[Track], detections: list[Detection], at: float, size: tuple[int, int]
    ) -> list[Hit]:
        width, height = size
        hits = []
        for rule in self.rules:
            state = self.state[rule.code]

            def within(point, rule=rule):
                # A box cut by the picture's edge has its foot on the edge: just inside.
                x = min(max(point[0] / width, 0.0), 0.999)
                y = min(max(point[1] / height, 0.0), 0.999)
                return inside((x, y), rule.zone)

            in_zone = [t for t in tracks if within(t.foot)]
            if rule.kind == "object":  # a person standing still is no object left
                hit = self._object(rule, state, in_zone, detections, at, within, tracks)
            else:
                hit = getattr(self, f"_{rule.kind}")(rule, state, in_zone, detections, at, within)
            if hit is not None:
                hits.append(hit)
        return hits

    # A visit: the condition holds now, after QUIET seconds without it.
    def _visit(self, rule, state, busy: bool, at, boxes, details) -> Hit | None:
        if not busy:
            if state.last_busy is not None and at - state.last_busy >= QUIET:
                state.episode = False
            return None
        state.last_busy = at
        if state.episode:
            return None
        state.episode = True
        return Hit(rule.code, at, boxes, details)

    def _zone(self, rule, state, in_zone, detections, at, within):
        boxes = [t.box for t in in_zone]
        return self._visit(rule, state, bool(in_zone), at, boxes, {"people": len(in_zone)})

    def _motion(self, rule, state, in_zone, detections, at, within):
        moving = [d.box for d in detections if d.label == "motion" and within(d.foot)]
        return self._visit(rule, state, bool(moving), at, moving, {"blobs": len(moving)})

    def _crowd(self, rule, state, in_zone, detections, at, within):
        if len(in_zone) > rule.people:
            state.since = at if state.since is None else state.since
        else:
            state.since = None
        lasting = state.since is not None and at - state.since >= rule.seconds
        return self._visit(
            rule, state, lasting, at, [t.box for t in in_zone], {"people": len(in_zone)}
        )

    def _loitering(self, rule, state, in_zone, detections, at, within):
        for track in in_zone:
            entered = track.extra.setdefault(f"in:{rule.code}", at)
            if at - entered >= rule.seconds and track.id not in state.fired_tracks:
                state.fired_tracks.add(track.id)
                return Hit(
                    rule.code,
                    at,
                    [track.box],
                    {"people": 1, "seconds": round(at - entered, 1), "track": track.id},
                )
        return None

    def _object(self, rule, state, in_zone, detections, at, within, tracks=()):
        """An object (``StillObjects``) that stays put, with no person on it: something
        left, or the gap where something was. Matched to the last frame's by overlap."""
        blobs = [
            d.box
            for d in detections
            if d.label == "object"
            and within(d.foot)
            and not any(overlap(d.box, t.box) > 0.3 for t in tracks)
        ]
        kept = []
        for box in blobs:
            old = next((s for s in state.still if iou(s[0], box) > 0.6), None)
            kept.append([box, old[1] if old else at, old[2] if old else False])
        state.still = kept
        for entry in kept:
            if not entry[2] and at - entry[1] >= rule.seconds:
                entry[2] = True
                return Hit(rule.code, at, [entry[0]], {"seconds": round(at - entry[1], 1)})
        return None
