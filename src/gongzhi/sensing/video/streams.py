"""A camera's stream, read at the rate it can be analysed.

``Stream`` opens a file (looped for the demo), an HTTP MJPEG or an RTSP address through
``cv2.VideoCapture``. ``frames()`` yields ``(at, frame)``: ``at`` in seconds, the position in
a file or the clock for a live stream. Frames between the analysed ones are grabbed but not
decoded (cheap) and nothing is queued: a live stream that outruns the analysis loses frames,
never memory. A stream that cannot be opened, or drops, is logged, counted and reopened
with a backoff (1 s doubling to a minute); a frame that does not decode is skipped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import numpy as np

log = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0


@dataclass
class Counters:
    opened: int = 0
    failures: int = 0  # opens that failed and drops
    corrupt: int = 0  # frames that did not decode
    analysed: int = 0
    skipped: int = 0


def source_of(url: str) -> str:
    """What ``cv2.VideoCapture`` opens: a file path for file:// (and a bare path)."""
    parts = urlsplit(url)
    if parts.scheme in ("", "file"):
        return parts.path if parts.scheme else url
    return url


def _valid(frame) -> bool:
    return isinstance(frame, np.ndarray) and frame.ndim == 3 and frame.size > 0


class Stream:
    def __init__(
        self,
        url: str,
        *,
        fps: float = 4.0,
        loop: bool = True,
        once: bool = False,
        deadline: float | None = None,
        sleep=time.sleep,
    ):
        self.url, self.target_fps = url, max(0.1, fps)
        self.source = source_of(url)
        self.is_file = urlsplit(url).scheme in ("", "file")
        # Files loop for the demo, unless read once (tests, the benchmark).
        self.loop, self.once = loop and not once, once
        self.sleep = sleep
        self.deadline = deadline  # time.monotonic() after which to stop
        self.counters = Counters()
        self.backoff = BACKOFF_FIRST
        self.capture = None
        self.native_fps = 0.0
        self.stopped = False

    def open(self) -> bool:
        if self.is_file and not Path(self.source).is_file():
            log.warning("camera stream %s: no such file", self.url)
            self.counters.failures += 1
            return False
        capture = cv2.VideoCapture(self.source)
        if not capture.isOpened():
            capture.release()
            log.warning("camera stream %s cannot be opened", _safe(self.url))
            self.counters.failures += 1
            return False
        self.capture = capture
        self.native_fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
        if not 0 < self.native_fps <= 120:
            self.native_fps = 25.0
        self.counters.opened += 1
        self.backoff = BACKOFF_FIRST
        return True

    def close(self) -> None:
        if self.capture is not None:
            self.capture.release()
            self.capture = None

    def stop(self) -> None:
        self.stopped = True

    def _done(self) -> bool:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.stopped = True
        return self.stopped

    def _wait(self) -> None:
        """Sleep the backoff (no later than the deadline), and double it."""
        wait = self.backoff
        if self.deadline is not None:
            wait = max(0.0, min(wait, self.deadline - time.monotonic()))
        self.sleep(wait)
        self.backoff = min(BACKOFF_MAX, self.backoff * 2)

    @property
    def every(self) -> int:
        """Analyse one frame in this many (the rest are grabbed, not decoded)."""
        return max(1, round(self.native_fps / self.target_fps))

    def frames(self, *, max_failures: int | None = None):
        """Yield ``(at, frame)`` until stopped, the end of a file read once, or
        ``max_failures`` failed opens or drops in a row."""
        failures_in_row = 0
        started = time.time()
        offset = 0.0  # a looped file's time goes on from where the last pass ended
        while not self._done():
            if self.capture is None and not self.open():
                failures_in_row += 1
                if self.once or (max_failures is not None and failures_in_row >= max_failures):
                    return
                self._wait()
                continue
            n, last_at, lost = 0, 0.0, 0
            while not self._done():
                if n % self.every:
                    if not self.capture.grab():
                        break
                    self.counters.skipped += 1
                    n += 1
                    continue
                ok, frame = self.capture.read()
                n += 1
                if not ok:
                    break
                if not _valid(frame):
                    self.counters.corrupt += 1
                    lost += 1
                    if lost > 50:  # nothing decodes: treat as a drop
                        break
                    continue
                lost = 0
                failures_in_row = 0
                self.counters.analysed += 1
                if self.is_file:
                    last_at = offset + n / self.native_fps
                    ahead = started + last_at - time.time()
                    if not self.once and ahead > 0:  # a demo file plays in real time
                        self.sleep(ahead)
                    yield started + last_at, frame
                else:
                    yield time.time(), frame
            self.close()
            if self.is_file:
                if not self.loop:
                    return
                offset = last_at + 1.0 / self.native_fps
                continue
            if self.stopped:
                return
            log.warning("camera stream %s dropped: reconnecting", _safe(self.url))
            self.counters.failures += 1
            failures_in_row += 1
            if self.once or (max_failures is not None and failures_in_row >= max_failures):
                return
            self._wait()


def _safe(url: str) -> str:
    """The address without its password, for the log."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(parts.password, "***")
    return url
