"""The video watcher's figures, for ``bench/sensing.py`` (``run(args) -> dict``), or alone:

    python bench/_sensing_video.py

* **throughput**: frames analysed a second on one core (``cv2.setNumThreads(1)``) at
  768×432 (the one-by-one sample) and 1280×720 (the same, scaled up and re-encoded), people
  and motion (``PeopleTracker.step``, after decoding); beside it, decoding alone, in the
  same run.
* **people**: precision and recall over the frames labelled by eye
  (``tests/sensing/annotations``), every 2nd frame analysed (5 a second); beside it, HOG
  alone on the full picture (OpenCV's pedestrian detector as it comes).
* **latency**: the watcher over the one-by-one sample (a fresh SQLite platform in a child
  process, the 海东 demo places): from reading a frame to its event stored (snapshot
  drawn, faces blurred, written) and to its case (a rule that raises one at once), p50
  and p95.

Needs the sample videos in ../shared/data/video; says so and measures nothing without.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIDEOS = ROOT.parent / "shared" / "data" / "video"
ONE_BY_ONE = VIDEOS / "one-by-one-person-detection.mp4"
ANNOTATIONS = ROOT / "tests" / "sensing" / "annotations"
FRAMES = 200  # per throughput measurement


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _src() -> None:
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))


# -- throughput --------------------------------------------------------------------------------


def _scaled_copy(path: Path, size: tuple[int, int], out: Path, frames: int) -> Path:
    import cv2

    capture = cv2.VideoCapture(str(path))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, size)
    for _n in range(frames):
        ok, frame = capture.read()
        if not ok:
            break
        writer.write(cv2.resize(frame, size))
    writer.release()
    capture.release()
    return out


def _rate(path: Path, *, analyse: bool) -> float:
    import cv2

    from gongzhi.sensing.video.detect import PeopleTracker

    tracker = PeopleTracker() if analyse else None
    capture = cv2.VideoCapture(str(path))
    n = 0
    started = time.perf_counter()
    while n < FRAMES:
        ok, frame = capture.read()
        if not ok:
            break
        if tracker is not None:
            tracker.step(frame, n / 10)
        n += 1
    capture.release()
    return round(n / (time.perf_counter() - started), 1)


def throughput(tmp: Path) -> dict:
    import cv2

    cv2.setNumThreads(1)
    out = {}
    for width, height in ((768, 432), (1280, 720)):
        video = _scaled_copy(ONE_BY_ONE, (width, height), tmp / f"{width}.avi", FRAMES)
        out[f"{width}x{height}"] = {
            "decode_only_fps": _rate(video, analyse=False),
            "people_and_motion_fps": _rate(video, analyse=True),
        }
    out["cores"] = 1
    out["frames"] = FRAMES
    return out


# -- people ------------------------------------------------------------------------------------


def people() -> dict:
    from gongzhi.sensing.video.quality import evaluate

    out = {}
    for name, step in (("one-by-one-person-detection.mp4", 2), ("worker-zone-detection.gif", 1)):
        labels = ANNOTATIONS / f"{name}.json"
        out[name] = {
            "detector": evaluate(VIDEOS / name, labels, step=step).as_dict(),
            "baseline_hog_alone": evaluate(
                VIDEOS / name, labels, step=step, hog_only=True
            ).as_dict(),
        }
    return out


# -- latency (child process: a platform of its own) --------------------------------------------


def latency_child() -> dict:
    _src()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from shapely.geometry import shape

    from gongzhi.accounts.models import Organisation
    from gongzhi.cases.models import RoutingRule
    from gongzhi.demo import accounts, regions
    from gongzhi.regions.models import Grid
    from gongzhi.sensing.models import Camera, CameraType, Rule, RuleKind
    from gongzhi.sensing.video.watch import watch_camera

    call_command("migrate", verbosity=0, interactive=False)
    regions.load()
    accounts.load()
    grid = Grid.objects.filter(is_active=True).select_related("community").order_by("code")[0]
    point = shape(grid.boundary).representative_point()
    county = grid.region_path.strip("/").split("/")[2]
    camera = Camera.objects.create(
        code=f"{county}0000132{1:07d}",
        name="bench camera",
        type=CameraType.objects.get(code="bullet"),
        region=grid.community,
        grid=grid,
        region_path=grid.region_path,
        lng=point.x,
        lat=point.y,
        owner=Organisation.objects.filter(is_active=True).order_by("pk").first(),
        stream_url=f"file://{ONE_BY_ONE}",
        analysis_fps=5,
    )
    category = RoutingRule.objects.select_related("category").order_by("pk")[0].category
    # A person on the floor: an event for an officer; motion there: a case at once.
    for code, kind, direct in (("floor", RuleKind.ZONE, False), ("moving", RuleKind.MOTION, True)):
        Rule.objects.create(
            camera=camera,
            code=code,
            name=code,
            kind=kind,
            zone=[[0, 0.5], [1, 0.5], [1, 1], [0, 1]],
            dedup_seconds=1,
            creates_case_directly=direct,
            category_code=category.code,
        )
    report = watch_camera(camera, once=True)
    return {
        "events": report.events,
        "analysed": report.analysed,
        "samples": {"to_event": len(report.to_event), "to_case": len(report.to_case)},
        "to_event_ms": {
            "p50": ms(statistics.median(report.to_event)),
            "p95": ms(percentile(report.to_event, 95)),
        }
        if report.to_event
        else None,
        "to_case_ms": {
            "p50": ms(statistics.median(report.to_case)),
            "p95": ms(percentile(report.to_case, 95)),
        }
        if report.to_case
        else None,
        "database": "sqlite",
    }


def latency() -> dict:
    var_dir = tempfile.mkdtemp(prefix="bench-video-")
    env = dict(
        os.environ,
        GONGZHI_VAR_DIR=var_dir,
        GONGZHI_SECRET_KEY="bench-" + uuid.uuid4().hex,
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
        GONGZHI_LOG_LEVEL="ERROR",
    )
    env.pop("DATABASE_URL", None)
    env.pop("GONGZHI_DEBUG", None)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args=None) -> dict:
    if not ONE_BY_ONE.is_file():
        return {"video": {"skipped": f"no sample videos at {VIDEOS}"}}
    _src()
    tmp = Path(tempfile.mkdtemp(prefix="bench-video-"))
    try:
        return {
            "video": {
                "throughput": throughput(tmp),
                "people": people(),
                "latency": latency(),
            }
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(latency_child(), ensure_ascii=False))
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=1))
