"""What is kept of an event: a snapshot with the detections and the zone drawn, faces
blurred (personal data stays masked unless the setting turns it off), and a short clip."""

from __future__ import annotations

import logging
import threading
from collections import deque
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

JPEG_QUALITY = 85
COLOURS = {"person": (38, 38, 220), "motion": (235, 99, 37), "object": (6, 119, 217)}


_local = threading.local()


def _faces() -> cv2.CascadeClassifier:
    # One classifier per thread: detectMultiScale keeps its scales in the classifier, so
    # the watcher's camera threads sharing one failed ("getScaleData") or crashed.
    if not hasattr(_local, "faces"):
        _local.faces = cv2.CascadeClassifier(
            cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
        )
    return _local.faces


def blur_faces(frame: np.ndarray) -> np.ndarray:
    """The frame with every face found pixelated beyond recognition."""
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    out = frame.copy()
    for x, y, w, h in _faces().detectMultiScale(grey, scaleFactor=1.1, minNeighbors=4):
        face = out[y : y + h, x : x + w]
        small = cv2.resize(face, (max(1, w // 12), max(1, h // 12)))
        out[y : y + h, x : x + w] = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    return out


def blur_faces_jpeg(jpeg: bytes) -> bytes:
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if frame is None:  # not a picture: kept as it is rather than lost
        return jpeg
    return encode(blur_faces(frame))


def encode(frame: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("the frame cannot be encoded")
    return data.tobytes()


def annotate(frame: np.ndarray, *, zone: list, boxes: list, label: str = "person") -> np.ndarray:
    """A copy of the frame with the rule's zone and the boxes that broke it drawn."""
    out = frame.copy()
    h, w = out.shape[:2]
    if zone:
        points = np.array([[int(x * w), int(y * h)] for x, y in zone], np.int32)
        overlay = out.copy()
        cv2.fillPoly(overlay, [points], (0, 200, 255))
        out = cv2.addWeighted(overlay, 0.2, out, 0.8, 0)
        cv2.polylines(out, [points], True, (0, 200, 255), 2)
    colour = COLOURS.get(label, (38, 38, 220))
    for x0, y0, x1, y1 in boxes:
        cv2.rectangle(out, (int(x0), int(y0)), (int(x1), int(y1)), colour, 2)
    return out


class ClipBuffer:
    """The last few seconds of analysed frames, kept in memory (bounded), to write a clip
    around an event: the seconds before it, then ``after`` frames more."""

    def __init__(self, *, frames: int = 12):
        self.frames: deque = deque(maxlen=frames)
        self.pending: list[dict] = []  # clips waiting for their frames after the event

    def add(self, frame: np.ndarray) -> None:
        # Clips are small: a quarter of a full HD frame is plenty to see what happened.
        h, w = frame.shape[:2]
        scale = min(1.0, 640 / w)
        small = cv2.resize(frame, None, fx=scale, fy=scale) if scale < 1 else frame.copy()
        self.frames.append(small)
        for clip in list(self.pending):
            clip["frames"].append(small)
            if len(clip["frames"]) >= clip["total"]:
                self.pending.remove(clip)
                write_clip(clip["path"], clip["frames"], clip["fps"])

    def start(self, path: Path, *, fps: float, after: int = 6) -> Path:
        """Begin the clip at ``path``: written once ``after`` more frames have come."""
        clip = {"path": Path(path), "frames": list(self.frames), "fps": fps}
        clip["total"] = len(clip["frames"]) + after
        self.pending.append(clip)
        return Path(path)

    def flush(self) -> None:
        for clip in self.pending:
            write_clip(clip["path"], clip["frames"], clip["fps"])
        self.pending = []


def write_clip(path: Path, frames: list, fps: float) -> bool:
    """Write ``frames`` as an MJPEG .avi (a codec every OpenCV build has): atomic, so a
    half-written clip is never served."""
    if not frames:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = frames[0].shape[:2]
    temporary = path.with_name(path.stem + ".part.avi")
    writer = cv2.VideoWriter(str(temporary), cv2.VideoWriter_fourcc(*"MJPG"), max(1.0, fps), (w, h))
    if not writer.isOpened():
        log.warning("cannot write the clip %s", path)
        return False
    for frame in frames:
        if frame.shape[:2] == (h, w):
            writer.write(frame)
    writer.release()
    temporary.replace(path)
    return True
