"""Detectors and the tracker.

Every detector answers ``detect(frame) -> list[Detection]`` for one BGR frame, with boxes in
the frame's pixels. The detectors that keep a background model (motion, people) must see the
frames of one camera in order: one instance per camera.

People: HOG alone finds a person standing facing or backing the camera, but misses most who
walk, turn or are cut by the picture's edge (about 60% of the annotated frames of the
one-by-one sample). Background subtraction sees whatever moves. ``PeopleDetector`` takes
HOG's boxes, and adds a moving blob the size and shape of a person that HOG missed; the
``Tracker`` then keeps a person seen a moment ago for a second or two more (a person
standing still fades from the motion mask, one turning falls out of HOG's view), and counts
a motion-only track as a person once it moves (a blob that never moves is the ghost a
person leaves in the background model). On the labelled frames: 100% found, 3% of empty
frames with somebody (HOG alone: 59%, 0%).

``StillObjects`` (``StillObjects.detect(frame, moving=...)``, told whether anything moves)
finds objects left or removed, which background subtraction learns away within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


@dataclass(frozen=True)
class Detection:
    box: Box
    label: str  # "person", "motion", "object" (left or removed)
    score: float = 1.0
    by: str = ""  # which detector: "hog", "motion", "still"

    @property
    def foot(self) -> tuple[float, float]:
        """Where a person stands: the middle of the box's bottom edge."""
        return ((self.box[0] + self.box[2]) / 2, float(self.box[3]))


class Detector(Protocol):
    def detect(self, frame: np.ndarray) -> list[Detection]: ...


def iou(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def overlap(a: Box, b: Box) -> float:
    """The share of ``a`` that lies inside ``b``."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(1, (a[2] - a[0]) * (a[3] - a[1]))


def _nms(boxes: list[Box], scores: list[float], threshold: float = 0.4) -> list[int]:
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    kept: list[int] = []
    for i in order:
        if all(
            iou(boxes[i], boxes[k]) < threshold and overlap(boxes[i], boxes[k]) < 0.7 for k in kept
        ):
            kept.append(i)
    return kept


class HogPeople:
    """OpenCV's pedestrian HOG on a copy ``width`` pixels across, with a border.

    HOG's window is 64×128 with the person about 96 pixels tall inside it, so a person
    taller than about two thirds of the picture fits no window; a border of repeated edge
    pixels gives them room (on the one-by-one sample: 91% of labelled frames found instead
    of 61%, and four times faster than the full picture)."""

    def __init__(self, *, min_score: float = 0.3, width: int = 384, border: float = 0.25):
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.min_score, self.width, self.border = min_score, width, border

    def detect(self, frame: np.ndarray) -> list[Detection]:
        height, width = frame.shape[:2]
        scale = min(1.0, self.width / width)
        image = cv2.resize(frame, None, fx=scale, fy=scale) if scale < 1 else frame
        dy = int(self.border * image.shape[0])
        dx = dy // 2
        image = cv2.copyMakeBorder(image, dy, dy, dx, dx, cv2.BORDER_REPLICATE)
        rects, weights = self.hog.detectMultiScale(
            image, winStride=(8, 8), padding=(8, 8), scale=1.05
        )
        boxes, scores = [], []
        for (x, y, w, h), score in zip(rects, np.ravel(weights), strict=False):
            if score < self.min_score:
                continue
            box = (
                max(0, int((x - dx) / scale)),
                max(0, int((y - dy) / scale)),
                min(width, int((x + w - dx) / scale)),
                min(height, int((y + h - dy) / scale)),
            )
            if box[2] - box[0] > 4 and box[3] - box[1] > 4:
                boxes.append(box)
                scores.append(float(score))
        return [Detection(boxes[i], "person", scores[i], "hog") for i in _nms(boxes, scores)]


class MotionDetector:
    """Moving blobs from background subtraction (MOG2) on a small copy of the frame.
    Shadows are dropped; blobs smaller than ``min_area`` of the picture are noise."""

    def __init__(self, *, width: int = 320, min_area: float = 0.004, warmup: int = 3):
        self.width, self.min_area, self.warmup = width, min_area, warmup
        self.subtractor = cv2.createBackgroundSubtractorMOG2(
            history=300, varThreshold=25, detectShadows=True
        )
        self.kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
        self.seen = 0
        self.mask: np.ndarray | None = None

    def detect(self, frame: np.ndarray) -> list[Detection]:
        scale = self.width / frame.shape[1]
        small = cv2.resize(frame, (self.width, max(1, round(frame.shape[0] * scale))))
        mask = self.subtractor.apply(small)
        self.seen += 1
        if self.seen <= self.warmup:  # the model has not learnt the background yet
            return []
        _ret, mask = cv2.threshold(mask, 200, 255, cv2.THRESH_BINARY)  # 127 = shadow
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.kernel)
        # Join the pieces of one body (legs, torso, head) into one blob.
        mask = cv2.dilate(mask, self.kernel, iterations=3)
        self.mask = mask
        contours, _h = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        limit = self.min_area * mask.shape[0] * mask.shape[1]
        found = []
        for contour in contours:
            area = cv2.contourArea(contour)
            if area < limit:
                continue
            x, y, w, h = cv2.boundingRect(contour)
            box = tuple(int(v / scale) for v in (x, y, x + w, y + h))
            found.append(Detection(box, "motion", min(1.0, area / (w * h)), "motion"))
        return found


class StillObjects:
    """Objects left or removed: what differs from a reference picture of the scene, looked
    at only while nothing moves (a moving hand or person would differ too).

    Background subtraction cannot see this: it learns a still object into the background
    within seconds. The reference is the first quiet picture; it takes in slowly what stays
    (``absorb`` per quiet frame), so an object left is reported for a while, then becomes
    part of the scene. A change over most of the picture is the light or the camera
    moving: the reference starts again."""

    def __init__(
        self,
        *,
        width: int = 320,
        quiet_frames: int = 3,
        threshold: int = 25,
        min_area: float = 0.002,
        absorb: float = 0.01,
        relearn: float = 0.3,
    ):
        self.width, self.quiet_frames, self.threshold = width, quiet_frames, threshold
        self.min_area, self.absorb, self.relearn = min_area, absorb, relearn
        self.kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
        self.reference: np.ndarray | None = None
        self.quiet = 0
        self.last: list[Detection] = []

    def detect(self, frame: np.ndarray, *, moving: bool) -> list[Detection]:
        """``moving``: something (or somebody) is in view that is no part of the scene."""
        if moving:
            self.quiet = 0
            return self.last  # unseen while something moves: as last seen
        self.quiet += 1
        if self.quiet < self.quiet_frames:
            return self.last
        scale = self.width / frame.shape[1]
        small = cv2.resize(frame, (self.width, max(1, round(frame.shape[0] * scale))))
        grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (7, 7), 0)
        grey = grey.astype(np.float32)
        if self.reference is None:
            self.reference, self.last = grey, []
            return []
        # Brightness taken out: a cloud or the camera's exposure is no object.
        diff = np.abs((grey - grey.mean()) - (self.reference - self.reference.mean()))
        mask = (diff > self.threshold).astype(np.uint8) * 255
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.kernel)
        mask = cv2.dilate(mask, self.kernel, iterations=2)
        if (mask > 0).mean() > self.relearn:
            self.reference, self.last = grey, []
            return []
        self.reference = cv2.addWeighted(self.reference, 1 - self.absorb, grey, self.absorb, 0)
        contours, _h = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        limit = self.min_area * mask.shape[0] * mask.shape[1]
        self.last = []
        for contour in contours:
            if cv2.contourArea(contour) >= limit:
                x, y, w, h = cv2.boundingRect(contour)
                box = tuple(int(v / scale) for v in (x, y, x + w, y + h))
                self.last.append(Detection(box, "object", 1.0, "still"))
        return self.last


class PeopleDetector:
    """People: HOG's boxes, plus moving blobs shaped like a person that HOG missed.

    A blob counts as a person when it is at least ``min_height`` of the picture tall and
    taller than it is wide: a person entering at the edge, walking or turning. Motion is
    also returned (label "motion") for the motion and object rules."""

    def __init__(self, *, people: bool = True, motion: bool = True, min_height: float = 0.3):
        self.hog = HogPeople() if people else None
        self.motion = MotionDetector() if motion else None
        self.objects = StillObjects() if motion else None
        self.min_height = min_height

    def detect(self, frame: np.ndarray) -> list[Detection]:
        people = self.hog.detect(frame) if self.hog else []
        moving = self.motion.detect(frame) if self.motion else []
        # A person standing still is not "quiet": the reference must not take them in.
        busy = bool(moving or people)
        still = self.objects.detect(frame, moving=busy) if self.objects else []
        if self.hog is None:
            return moving + still
        height = frame.shape[0]
        for blob in moving:
            x0, y0, x1, y1 = blob.box
            tall = (y1 - y0) >= self.min_height * height and (y1 - y0) >= 0.9 * (x1 - x0)
            if tall and not any(overlap(p.box, blob.box) > 0.3 for p in people):
                people.append(Detection(blob.box, "person", 0.5 * blob.score, "motion"))
        return people + moving + still


# -- tracking ----------------------------------------------------------------------------------


@dataclass
class Track:
    id: int
    box: Box
    first_at: float
    last_at: float
    hits: int = 1
    missed: int = 0
    # Seen by HOG at least once, or moved: a blob that never did either is the ghost a
    # person leaves in the background model where they stood, not a person.
    confirmed: bool = False
    start: tuple[float, float] = (0.0, 0.0)
    extra: dict = field(default_factory=dict)

    @property
    def foot(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, float(self.box[3]))

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)

    @property
    def seconds(self) -> float:
        return self.last_at - self.first_at


def _area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _centre(box: Box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


class Tracker:
    """Matches each frame's detections to the tracks of the frames before, by overlap (IoU)
    or, failing that, by the nearest centre within a box's width: one person, one track.

    A track not matched is kept for ``keep`` seconds (a person standing still fades from
    the motion mask; one turning falls out of HOG's view) and counts as present meanwhile,
    unless it was last seen at the picture's edge (it left)."""

    def __init__(self, *, keep: float = 1.5, min_iou: float = 0.2):
        self.keep, self.min_iou = keep, min_iou
        self.tracks: list[Track] = []
        self.size = (0, 0)
        self._next = 1

    def update(
        self, detections: list[Detection], at: float, size: tuple[int, int] = (0, 0)
    ) -> list[Track]:
        """The tracks present after this frame's ``detections`` (``size``: the frame's
        width and height, to tell a track that left by the edge)."""
        self.size = size
        boxes = [d.box for d in detections]
        unmatched = list(range(len(boxes)))
        used: set[int] = set()  # tracks given this frame's box
        refreshed: set[int] = set()  # tracks seen through one of their parts
        for i in list(unmatched):
            # A moving part (legs, an arm, the hair) well inside a person's box is that
            # person, seen still where they were (its box is not the person's).
            if detections[i].by != "motion":
                continue
            part = next(
                (
                    t
                    for t in self.tracks
                    if t.confirmed
                    and overlap(boxes[i], t.box) >= 0.8
                    and _area(boxes[i]) < 0.6 * _area(t.box)
                ),
                None,
            )
            if part is not None:
                part.last_at, part.missed = at, 0
                refreshed.add(self.tracks.index(part))
                unmatched.remove(i)
        pairs = sorted(
            ((iou(t.box, boxes[i]), n, i) for n, t in enumerate(self.tracks) for i in unmatched),
            reverse=True,
        )
        for score, n, i in pairs:
            if score < self.min_iou or n in used or i not in unmatched:
                continue
            self._hit(self.tracks[n], detections[i], at)
            used.add(n)
            unmatched.remove(i)
        for i in list(unmatched):  # no overlap: the nearest centre, if close enough
            cx, cy = _centre(boxes[i])
            best, near = None, float(boxes[i][2] - boxes[i][0])
            for n, t in enumerate(self.tracks):
                if n in used:
                    continue
                d = ((t.centre[0] - cx) ** 2 + (t.centre[1] - cy) ** 2) ** 0.5
                if d < near:
                    best, near = n, d
            if best is not None:
                self._hit(self.tracks[best], detections[i], at)
                used.add(best)
                unmatched.remove(i)
        for n, t in enumerate(self.tracks):
            if n not in used and n not in refreshed:
                t.missed += 1
        self.tracks = [t for t in self.tracks if at - t.last_at <= self.keep and not self._left(t)]
        for i in unmatched:
            d = detections[i]
            self.tracks.append(
                Track(self._next, d.box, at, at, confirmed=d.by != "motion", start=_centre(d.box))
            )
            self._next += 1
        return [t for t in self.tracks if t.confirmed]

    def _left(self, track: Track) -> bool:
        # By the sides only (a box reaching the bottom is as often a person standing near),
        # within 5% of them: the last box of a person walking out is rarely cut by the edge.
        width = self.size[0]
        x0, _y0, x1, _y1 = track.box
        return bool(track.missed and width and (x0 <= 0.05 * width or x1 >= 0.95 * width))

    @staticmethod
    def _hit(track: Track, detection: Detection, at: float) -> None:
        track.box, track.last_at, track.hits, track.missed = detection.box, at, track.hits + 1, 0
        if not track.confirmed:
            moved = abs(_centre(track.box)[0] - track.start[0]) + abs(
                _centre(track.box)[1] - track.start[1]
            )
            track.confirmed = detection.by != "motion" or moved > (track.box[2] - track.box[0]) / 2


class PeopleTracker:
    """People found in a camera's frames, one track each: the detector, then the tracker.
    ``step`` returns the tracks present (seen in this frame or a moment ago) and all of the
    frame's detections (motion too, for the motion and object rules)."""

    def __init__(self, *, people: bool = True, motion: bool = True, keep: float = 1.5):
        self.detector = PeopleDetector(people=people, motion=motion)
        self.tracker = Tracker(keep=keep)

    def step(self, frame: np.ndarray, at: float) -> tuple[list[Track], list[Detection]]:
        detections = self.detector.detect(frame)
        people = [d for d in detections if d.label == "person"]
        size = (frame.shape[1], frame.shape[0])
        return self.tracker.update(people, at, size), detections
