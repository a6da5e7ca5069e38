"""Photos for the demo's recent 随手拍 and grid-worker reports, and for the handling of
those that were resolved: drawn, not taken.

Each is a street under a sky with the reported spot marked (and, after handling, mended),
stamped at the foot as a field camera app stamps a grid worker's photos (time, place,
coordinates, the category) and labelled 演示图片 · 合成 in a corner. The project ships no
photo of a real place; these let the case page, the tracking page and the gallery be seen
in the demo. They go through ``media.store_photo`` like an upload (thumbnail included).
"""

from __future__ import annotations

import functools
import random
from datetime import timedelta
from pathlib import Path

from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from gongzhi.cases import media
from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Attachment, Case, CaseEvent

PHOTO_DAYS = 21  # reports of the last three weeks carry photos
PHOTO_CHANNELS = (Channel.QUICK_REPORT, Channel.GRID_WORKER)
# Things one photographs (the street, rubbish, a broken light, a fire hazard …): not a
# dispute, a consultation or a person's needs. First-level codes of the demo's categories.
PHOTO_CATEGORIES = ("G01", "G02", "G05", "G06", "T01", "T04", "T06")
P_PHOTO = 0.85  # some people send no photo
SIZE = (640, 480)
SCENES = 8  # backgrounds drawn once, then marked per photo
WEEKDAYS = "一二三四五六日"
# A CJK font from the machine's packages (Debian: fonts-noto-cjk, fonts-wqy-microhei);
# without one the stamp is written in figures and Latin letters only.
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


@functools.cache  # every photo stamps with the same two sizes
def _font(size: int):
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size), False


def _scene(rng: random.Random) -> tuple[Image.Image, tuple[float, float]]:
    """A street: sky, buildings on the horizon, a road running away; and where the eye goes."""
    w, h = SIZE
    img = Image.new("RGB", SIZE)
    d = ImageDraw.Draw(img)
    sky = (rng.randint(150, 200), rng.randint(180, 215), rng.randint(215, 240))
    horizon = int(h * rng.uniform(0.35, 0.5))
    for y in range(horizon):
        d.line([(0, y), (w, y)], fill=tuple(int(c * (1 - 0.25 * y / horizon)) for c in sky))
    ground = rng.randint(95, 125)
    for y in range(horizon, h):
        t = (y - horizon) / (h - horizon)
        d.line(
            [(0, y), (w, y)],
            fill=(int(ground + 30 * t), int(ground + 28 * t), int(ground + 24 * t)),
        )
    x = 0
    while x < w:
        bw, bh = rng.randint(40, 110), rng.randint(30, int(horizon * 0.9))
        shade = rng.randint(120, 190)
        d.rectangle([x, horizon - bh, x + bw, horizon], fill=(shade, shade - 8, shade - 16))
        for wy in range(horizon - bh + 8, horizon - 8, 16):
            for wx in range(x + 5, x + bw - 8, 13):
                d.rectangle([wx, wy, wx + 6, wy + 8], fill=(shade - 50, shade - 45, shade - 30))
        x += bw + rng.randint(0, 16)
    vx = w * rng.uniform(0.4, 0.6)
    road = [(vx - 6, horizon), (vx + 6, horizon), (w * 0.95, h), (w * 0.05, h)]
    d.polygon(road, fill=(70, 72, 76))
    for i in range(6):
        y0 = horizon + (h - horizon) * (i / 6) ** 1.6
        y1 = horizon + (h - horizon) * ((i + 0.5) / 6) ** 1.6
        d.line([(vx, y0), (vx, y1)], fill=(230, 225, 200), width=max(1, int(2 + 8 * i / 6)))
    spot = (w * rng.uniform(0.35, 0.65), horizon + (h - horizon) * rng.uniform(0.45, 0.7))
    return img, spot


def _stamp(img: Image.Image, lines: list[str], latin: list[str]) -> None:
    w, h = img.size
    big, cjk = _font(20)
    small, _cjk = _font(15)
    text = lines if cjk else latin
    d = ImageDraw.Draw(img, "RGBA")
    d.rectangle([0, h - 86, w, h], fill=(0, 0, 0, 120))
    d.text((14, h - 80), text[0], font=big, fill="white")
    d.text((14, h - 52), text[1], font=small, fill="white")
    d.text((14, h - 28), text[2], font=small, fill=(255, 230, 150))
    label = "演示图片 · 合成" if cjk else "DEMO · SYNTHETIC"
    d.text((w - 12 - d.textlength(label, font=small), 10), label, font=small, fill="white")


def draw(scene, mark: tuple[int, int], *, case: Case, at, after: bool) -> Image.Image:
    """One photo of ``case``'s spot (of ``mark``'s half-axes), before handling or ``after``
    it, taken at ``at``."""
    base, (cx, cy) = scene
    img = base.copy()
    d = ImageDraw.Draw(img)
    rx, ry = mark
    if after:  # mended: a fresh patch, no longer marked
        d.ellipse(
            [cx - rx, cy - ry, cx + rx, cy + ry], fill=(92, 94, 98), outline=(60, 62, 66), width=4
        )
    else:
        d.ellipse(
            [cx - rx, cy - ry, cx + rx, cy + ry], fill=(25, 25, 28), outline=(200, 60, 40), width=3
        )
    local = timezone.localtime(at)
    place = case.address or (case.grid.name if case.grid_id else "")
    where = f"{case.lng:.5f}°E  {case.lat:.5f}°N" if case.lng is not None else ""
    stage = "处理后" if after else "上报"
    _stamp(
        img,
        [
            f"{local:%Y-%m-%d %H:%M} 星期{WEEKDAYS[local.weekday()]}",
            place[:36],
            f"{where}    {stage} · {case.category.full_name}",
        ],
        [f"{local:%Y-%m-%d %H:%M}", case.number, f"{where}    {'after' if after else 'report'}"],
    )
    img.format_hint = "JPEG"
    return img


def attach(*, now=None, seed: int = 0, key_prefix: str = "demo-") -> int:
    """Photos for the demo's recent photo-channel reports (and their resolutions), once:
    nothing when the demo's cases have photos already. Returns how many were stored."""
    if Attachment.objects.filter(case__idempotency_key__startswith=key_prefix).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    scenes = [_scene(rng) for _ in range(SCENES)]
    photographed = Q()
    for code in PHOTO_CATEGORIES:
        photographed |= Q(category__code__startswith=code)
    cases = list(
        Case.objects.filter(
            photographed,
            idempotency_key__startswith=key_prefix,
            channel__in=PHOTO_CHANNELS,
            created_at__gte=now - timedelta(days=PHOTO_DAYS),
        )
        .select_related("category", "grid")
        .order_by("created_at", "id")
    )
    events = {}
    for e in CaseEvent.objects.filter(case__in=cases, action__in=("report", "resolve")).order_by(
        "at", "id"
    ):
        events[(e.case_id, e.action)] = e  # the last resolve: the one that stood
    stored = 0
    for case in cases:
        if rng.random() >= P_PHOTO:
            continue
        scene, mark = rng.choice(scenes), (rng.randint(40, 72), rng.randint(14, 26))
        report = events.get((case.pk, "report"))
        image = draw(scene, mark, case=case, at=case.created_at, after=False)
        media.store_photo(case=case, image=image, stage="report", user=case.reporter, event=report)
        stored += 1
        resolved = events.get((case.pk, "resolve"))
        if resolved is not None:
            image = draw(scene, mark, case=case, at=resolved.at, after=True)
            media.store_photo(
                case=case, image=image, stage="resolution", user=resolved.actor, event=resolved
            )
            stored += 1
    return stored
