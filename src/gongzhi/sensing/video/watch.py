"""The video watcher (``gongzhi sensing watch``): every enabled camera with a stream, read at
its analysis rate, its people tracked and its rules evaluated; each hit recorded through
``events.record_event`` with a snapshot and a clip; each camera's newest analysed frame
written for the console's camera wall; a heartbeat while frames come.

One thread per camera (a single camera runs in the caller's thread). Options:
``cameras`` (codes; empty: all enabled), ``once`` (one pass over each stream, then stop:
tests and the benchmark), ``max_seconds`` (stop after this long).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import OperationalError, close_old_connections, connection

from .. import events, services
from ..models import Camera, RuleKind
from .detect import PeopleTracker
from .draw import ClipBuffer, annotate, blur_faces, encode
from .rules import RuleEvaluator, RuleSpec
from .streams import Stream

log = logging.getLogger(__name__)

LATEST_EVERY = 1.0  # seconds between two writes of a camera's newest frame
HEARTBEAT_EVERY = 30.0
CLIP_SECONDS = 2.0  # before the event, and as long after
RETRIES = (0.1, 0.3, 1.0, 3.0)  # seconds between tries of a write while the database is busy


@dataclass
class Report:
    """What one camera's watch did: for the command's summary, the tests and the bench."""

    code: str
    analysed: int = 0
    events: int = 0
    deduped: int = 0
    failures: int = 0
    corrupt: int = 0
    seconds: float = 0.0
    # Seconds from reading the frame to the event stored (rules whose events wait for an
    # officer) or to its case (rules that raise one at once).
    to_event: list = field(default_factory=list)
    to_case: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "analysed": self.analysed,
            "events": self.events,
            "deduped": self.deduped,
            "failures": self.failures,
            "corrupt": self.corrupt,
            "seconds": round(self.seconds, 2),
            "fps": round(self.analysed / self.seconds, 2) if self.seconds else 0.0,
        }


def write_latest(camera: Camera, frame) -> None:
    """The camera wall's picture: stored like a snapshot, so with its faces blurred too."""
    path = events.latest_frame_path(camera)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(encode(blur_faces(frame) if events.blur_faces_enabled() else frame))
    temporary.replace(path)  # the wall never reads half a picture


def _clip_path(camera: Camera, at: dt.datetime) -> Path:
    return events.var_dir() / "clips" / camera.code / f"{at:%Y%m%d}" / f"{uuid.uuid4().hex}.avi"


def watch_camera(
    camera: Camera, *, once: bool = False, max_seconds: float | None = None, stop=None
) -> Report:
    report = Report(camera.code)
    rules = list(camera.rules.filter(enabled=True).order_by("code"))
    specs = [RuleSpec.of(r) for r in rules]
    zones = {r.code: list(r.zone or []) for r in rules}
    needs_motion = camera.detect_motion or any(
        r.kind in (RuleKind.MOTION, RuleKind.OBJECT) for r in rules
    )
    tracker = PeopleTracker(people=camera.detect_people, motion=needs_motion)
    evaluator = RuleEvaluator(specs)
    started = time.monotonic()
    deadline = None if max_seconds is None else started + max_seconds
    stream = Stream(camera.stream_url, fps=camera.analysis_fps, once=once, deadline=deadline)
    clips = ClipBuffer(frames=max(2, round(CLIP_SECONDS * camera.analysis_fps)))
    last_latest = last_beat = float("-inf")
    try:
        for at, frame in stream.frames():
            read_at = time.monotonic()
            if (stop is not None and stop.is_set()) or (
                max_seconds is not None and read_at - started > max_seconds
            ):
                stream.stop()
                break
            tracks, detections = tracker.step(frame, at)
            size = (frame.shape[1], frame.shape[0])
            clips.add(frame)
            if read_at - last_latest >= LATEST_EVERY:
                write_latest(camera, frame)
                last_latest = read_at
            if read_at - last_beat >= HEARTBEAT_EVERY:
                try:
                    services.record_heartbeat(camera=camera, at=_when(time.time()))
                    last_beat = read_at
                except OperationalError:  # busy: the next frame tries again
                    log.warning("camera %s: heartbeat not stored (database busy)", camera.code)
            for hit in evaluator.step(tracks, detections, at, size):
                when = _when(at)
                picture = annotate(frame, zone=zones.get(hit.rule_code, []), boxes=hit.boxes)
                clip = _clip_path(camera, when)
                event = _record(
                    camera=camera,
                    rule_code=hit.rule_code,
                    at=when,
                    details={
                        **hit.details,
                        "boxes": [list(map(int, b)) for b in hit.boxes],
                        "size": list(size),
                    },
                    snapshot_jpeg=encode(picture),
                    clip_path=str(clip),
                )
                if event is None:
                    report.deduped += 1
                    continue
                report.events += 1
                # A rule that raises its case at once returns after the case is made.
                (report.to_case if event.case_number else report.to_event).append(
                    time.monotonic() - read_at
                )
                clips.start(clip, fps=camera.analysis_fps, after=clips.frames.maxlen)
    finally:
        clips.flush()
        stream.close()
        counters = stream.counters
        report.analysed, report.failures, report.corrupt = (
            counters.analysed,
            counters.failures,
            counters.corrupt,
        )
        report.seconds = time.monotonic() - started
    return report


def _record(**fields):
    """``events.record_event``, tried again a few times while the database is busy (SQLite
    with several cameras writing at once): an event is not lost to a moment's lock."""
    for wait in RETRIES:
        try:
            return events.record_event(**fields)
        except OperationalError:
            log.warning("camera %s: database busy, retrying", fields["camera"].code)
            time.sleep(wait)
    return events.record_event(**fields)


def _when(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def cameras(codes=()) -> list[Camera]:
    found = Camera.objects.filter(enabled=True).exclude(stream_url="").order_by("code")
    if codes:
        found = found.filter(code__in=list(codes))
    return list(found)


def main(options: dict) -> list[dict]:
    """Watch the cameras until stopped (Ctrl-C), ``max_seconds`` pass, or (``once``) each
    stream has been read once. Returns each camera's report."""
    chosen = cameras(options.get("cameras") or ())
    once, max_seconds = bool(options.get("once")), options.get("max_seconds")
    if not chosen:
        log.warning("no enabled camera with a stream to watch")
        return []
    if len(chosen) == 1:
        return [watch_camera(chosen[0], once=once, max_seconds=max_seconds).as_dict()]
    stop = threading.Event()
    reports: dict[str, Report] = {}

    def run(camera):
        try:
            reports[camera.code] = watch_camera(
                camera, once=once, max_seconds=max_seconds, stop=stop
            )
        except Exception:  # one camera's failure stops no other
            log.exception("watching camera %s failed", camera.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(c,), name=f"watch-{c.code}", daemon=True) for c in chosen
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    except KeyboardInterrupt:
        stop.set()
        for thread in threads:
            thread.join(5)
    return [reports[c.code].as_dict() for c in chosen if c.code in reports]
