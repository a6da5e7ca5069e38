"""A volunteer walks a patrol in a real Chromium at phone size (375 px): the camera is
Chromium's fake capture showing a checkpoint's printed QR code (a y4m made from the sheet's
own code), the position comes from the context; they scan the first and the third
checkpoints, miss the second, finish, and the finished patrol shows the miss.

Each checkpoint needs a browser of its own: Chromium's fake camera plays one file."""

from __future__ import annotations

import pytest
from PIL import Image

from gongzhi.community.models import Patrol
from gongzhi.community.patrols.sheet import qr_matrix
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.web.phone import log_in, phone_options

from .conftest import code_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def qr_y4m(text: str, path, frames: int = 6):
    """A short video (y4m, 4:2:0) of the QR code for ``text`` on a white page."""
    rows = qr_matrix(text)
    n, scale, quiet = len(rows), 7, 4
    side = (n + 2 * quiet) * scale
    code = Image.new("L", (n + 2 * quiet, n + 2 * quiet), 255)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                code.putpixel((c + quiet, r + quiet), 0)
    code = code.resize((side, side), Image.NEAREST)
    width, height = 640, 480
    page = Image.new("RGB", (width, height), "white")
    page.paste(code.convert("RGB"), ((width - side) // 2, (height - side) // 2))
    y, cb, cr = page.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)
    return path


def scan_at(chromium, live_server, w, checkpoint, tmp_path, then=None):
    video = qr_y4m(
        code_of(checkpoint).replace("http://testserver", live_server.url),
        tmp_path / f"cp{checkpoint.order}.y4m",
    )
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(
            **phone_options((checkpoint.lng, checkpoint.lat), viewport=PHONE),
        )
        context.grant_permissions(["geolocation", "camera"])
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.base_url = live_server.url
        log_in(page, w.walker.username, w.password)
        page.goto(live_server.url + "/community/patrols/")
        page.click(f"[data-route='{w.route.pk}'] [data-testid=start-patrol]")
        page.wait_for_selector("[data-testid=patrol-page][data-state=walking]")
        before = int(page.get_attribute("#progress", "data-scanned"))
        page.click("[data-testid=scan-camera]")
        page.wait_for_selector(f"#progress[data-scanned='{before + 1}']")
        assert page.get_attribute("[data-testid=scan-result]", "data-result") == "ok"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if then:
            then(page)
    finally:
        browser.close()


def test_a_volunteer_walks_a_patrol_with_the_camera_missing_one(
    chromium, live_server, pw, tmp_path
):
    scan_at(chromium, live_server, pw, pw.cps[0], tmp_path)

    def finish(page):
        page.on("dialog", lambda dialog: dialog.accept())
        page.click("[data-testid=finish-patrol]")
        page.wait_for_selector("[data-testid=patrol-page][data-state=finished]")
        assert page.get_attribute("[data-order='2']", "data-done") == "missed"
        assert page.get_attribute("[data-order='3']", "data-done") == "1"
        assert page.locator("[data-testid=missed]").count() == 1

    # The second checkpoint is skipped: the third is scanned out of order, then the end.
    scan_at(chromium, live_server, pw, pw.cps[2], tmp_path, then=finish)

    patrol = Patrol.objects.get()
    assert (patrol.state, patrol.scanned, patrol.missed) == ("finished", 2, 1)
    scans = {s.checkpoint.order: s for s in patrol.scans.select_related("checkpoint")}
    assert not scans[1].too_far and scans[1].distance_m < 5
    assert scans[3].out_of_order and not scans[3].too_far
