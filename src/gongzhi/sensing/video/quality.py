"""How well the people detector does on frames labelled by eye (``tests/sensing/annotations``):
the tests' thresholds and the benchmark's figures come from here.

A labelled frame with a person counts as found when a present track's centre lies in the
labelled box (with a margin: the boxes are rough); an empty frame counts as a false alarm
when any track is present. Frames labelled "partial" (a person cut by the picture's edge)
count neither way. ``hog_only`` is the baseline: HOG alone, as OpenCV ships it, on the
whole picture. The video is read in order, every ``step``-th frame analysed, as the
watcher would at that rate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2

from .detect import HogPeople, PeopleTracker


@dataclass
class Score:
    found: int = 0
    persons: int = 0
    false: int = 0
    empties: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.persons if self.persons else 1.0

    @property
    def false_rate(self) -> float:
        return self.false / self.empties if self.empties else 0.0

    @property
    def precision(self) -> float:
        # Over frames: of the frames where it said "a person", how many had one.
        said = self.found + self.false
        return self.found / said if said else 1.0

    def as_dict(self) -> dict:
        return {
            "recall": round(self.recall, 3),
            "precision": round(self.precision, 3),
            "false_rate": round(self.false_rate, 3),
            "found": self.found,
            "persons": self.persons,
            "false": self.false,
            "empties": self.empties,
        }


def load(path: Path) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data["by_frame"] = {f["frame"]: f for f in data["frames"]}
    return data


def _inside(point, box, size, margin=0.1) -> bool:
    w, h = size
    x0, y0, x1, y1 = box
    return (x0 - margin) * w <= point[0] <= (x1 + margin) * w and (
        (y0 - margin) * h <= point[1] <= (y1 + margin) * h
    )


def evaluate(video: Path, annotations: Path, *, step: int = 2, hog_only: bool = False) -> Score:
    labels = load(annotations)["by_frame"]
    last = max(labels)
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 10.0
    # The baseline: OpenCV's HOG as it comes, on the whole picture, with no border.
    finder = HogPeople(width=100_000, border=0) if hog_only else PeopleTracker()
    score = Score()
    n = 0
    try:
        while n <= last:
            if n % step and n not in labels:
                if not capture.grab():
                    break
                n += 1
                continue
            ok, frame = capture.read()
            if not ok:
                break
            if hog_only:
                centres = [
                    ((d.box[0] + d.box[2]) / 2, (d.box[1] + d.box[3]) / 2)
                    for d in finder.detect(frame)
                ]
            else:
                tracks, _d = finder.step(frame, n / fps)
                centres = [t.centre for t in tracks]
            label = labels.get(n)
            if label is not None:
                size = (frame.shape[1], frame.shape[0])
                if label["label"] == "person":
                    score.persons += 1
                    score.found += any(_inside(c, label["box"], size) for c in centres)
                elif label["label"] == "empty":
                    score.empties += 1
                    score.false += bool(centres)
            n += 1
    finally:
        capture.release()
    return score
