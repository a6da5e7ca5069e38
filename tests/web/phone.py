"""What the browser tests on a phone-sized screen share: the phone's browser context,
signing in through the login page, and a photo to attach."""

from contextlib import contextmanager
from io import BytesIO

from PIL import Image

PHONE = {"width": 375, "height": 740}


def phone_options(point, **extra) -> dict:
    """A browser context like a resident's phone standing at ``point`` (lng, lat)."""
    lng, lat = point
    return {
        "locale": "zh-CN",
        "viewport": PHONE,
        "is_mobile": True,
        "has_touch": True,
        "geolocation": {"longitude": lng, "latitude": lat, "accuracy": 12},
        "permissions": ["geolocation"],
        **extra,
    }


@contextmanager
def phone_page(chromium, base_url: str, point, **extra):
    context = chromium.new_context(**phone_options(point, **extra))
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = base_url
        yield page
    finally:
        context.close()


def log_in(page, username, password):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def a_photo(tmp_path, name="photo.jpg", colour=(90, 90, 100)):
    path = tmp_path / name
    buffer = BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def until(page, predicate: str, arg=None, *, timeout=15_000, every=100):
    """Wait until a JavaScript function (an arrow, given as text) returns something truthy.

    ``page.wait_for_function`` compiles its predicate inside the page, which the platform's
    Content-Security-Policy (no 'unsafe-eval') refuses; ``evaluate`` runs it as the browser's
    own tooling does, so it polls through that instead."""
    waited = 0
    while not page.evaluate(predicate, arg):
        if waited >= timeout:
            raise TimeoutError(f"still false after {timeout} ms: {predicate}")
        page.wait_for_timeout(every)
        waited += every
