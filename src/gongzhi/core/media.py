"""Photos for any record (a case, a dispute, a visit): checked by content, bounded in size
and pixels, EXIF orientation applied and all metadata (including GPS) dropped from the
stored copy, with a thumbnail. Each app stores the files on its own attachment model."""

from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import ServiceError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_BYTES = 10 * 1024 * 1024
# A 24-megapixel camera (6000 × 4000) is the largest a report needs; a bigger canvas is
# refused from its header, before a pixel is decoded (decoded, 6300 × 6300 RGBA is 160 MB).
MAX_PIXELS = 24_000_000
# What one request's photos may declare together, so that six photos at the limit cannot
# all be held decoded at once (a phone's 12-megapixel photos, six of them, fit).
MAX_TOTAL_PIXELS = 80_000_000
# The kept copy is at most this long on a side: a photo documents a pothole, not a poster.
MAX_SIDE = 4096
MAX_PHOTOS = 6
THUMB_SIZE = (360, 360)


_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError)


def _unreadable() -> ServiceError:
    return ServiceError("photo_unreadable", _("This file is not a readable photo."), "photos")


def declared_pixels(upload) -> int:
    """The photo's pixel count as its header declares it, reading the header only (``open``
    decodes nothing); checks its size in bytes, format and pixel count on the way."""
    if upload.size > MAX_BYTES:
        raise ServiceError("photo_too_large", _("A photo may be at most 10 MB."), "photos")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt, (width, height) = probe.format, probe.size
    except (*_UNREADABLE, Image.DecompressionBombError):
        raise _unreadable() from None
    if fmt not in ALLOWED_FORMATS:
        raise ServiceError(
            "photo_type", _("Only JPEG, PNG and WebP photos are accepted."), "photos"
        )
    # A decompression bomb declares a huge canvas in a tiny file.
    if width * height > MAX_PIXELS:
        raise ServiceError("photo_pixels", _("The photo has too many pixels."), "photos")
    return width * height


def check_photo(upload, *, checked: bool = False) -> Image.Image:
    if not checked:
        declared_pixels(upload)
    try:
        upload.seek(0)
        probe = Image.open(upload)
        fmt = probe.format
        probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.size != probe.size:  # a file that changed between the two reads
            raise ValueError("size changed")
        if fmt == "JPEG":
            # Decode a large JPEG at a reduced scale straight away (libjpeg's DCT scaling).
            image.draft(image.mode, (MAX_SIDE, MAX_SIDE))
        image.load()
    except (*_UNREADABLE, Image.DecompressionBombError):
        raise _unreadable() from None
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))  # in place: keeps the EXIF block for later
    image.format_hint = fmt
    return image


def check_photos(uploads) -> list[Image.Image]:
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > MAX_PHOTOS:
        raise ServiceError(
            "too_many_photos", _("At most %(n)d photos per report.") % {"n": MAX_PHOTOS}, "photos"
        )
    # Every header first: nothing is decoded unless all of them together are within bounds.
    if sum(declared_pixels(u) for u in uploads) > MAX_TOTAL_PIXELS:
        raise ServiceError("photo_pixels", _("The photos have too many pixels together."), "photos")
    return [check_photo(u, checked=True) for u in uploads]


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = BytesIO()
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(out, format=fmt, quality=85) if fmt != "PNG" else image.save(out, format=fmt)
    return out.getvalue()


def prepared(image: Image.Image, name: str) -> tuple[ContentFile, ContentFile]:
    """A checked photo as the files to store: upright, without metadata, and a thumbnail
    (``name`` without its extension, e.g. the case number)."""
    fmt = image.format_hint
    upright = ImageOps.exif_transpose(image)  # a new image without the EXIF block
    thumb = upright.copy()
    thumb.thumbnail(THUMB_SIZE)
    ext = ALLOWED_FORMATS[fmt]
    return (
        ContentFile(_encode(upright, fmt), name=f"{name}.{ext}"),
        ContentFile(_encode(thumb, fmt), name=f"{name}-t.{ext}"),
    )


# --- request size ------------------------------------------------------------------------
# A body larger than any page takes is refused from its Content-Length, before it is read:
# Django's own limits count only the form fields, and an ASGI server otherwise receives the
# whole body (spooled to disk) before the view ever sees it.

MAX_REQUEST_BYTES = 110 * 1024 * 1024  # the largest upload a page takes: a 100 MB 普法 video


def request_limit(max_bytes: int):
    """Mark a view as taking request bodies of at most ``max_bytes``."""

    def mark(view):
        view.max_request_bytes = max_bytes
        return view

    return mark


def max_request_bytes(view=None) -> int:
    return getattr(view, "max_request_bytes", None) or int(
        settings.GONGZHI.get("MAX_REQUEST_BYTES", MAX_REQUEST_BYTES)
    )


def _declared_length(value) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _too_large_message(limit: int) -> str:
    return _("The request is too large: at most %(mb)d MB may be sent at once.") % {
        "mb": max(1, limit // (1024 * 1024))
    }


def too_large_response(path: str, accept: str, limit: int) -> HttpResponse:
    message = _too_large_message(limit)
    if path.startswith("/api/") or path.startswith("/open311/") or "json" in accept:
        return JsonResponse({"error": "too_large", "message": message, "field": None}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class RequestSizeLimitMiddleware:
    """Before any middleware that reads the body (CSRF reads the form): refuse a request
    whose Content-Length is over the view's limit (``request_limit``) with 413."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        limit = max_request_bytes(view)
        if _declared_length(request.META.get("CONTENT_LENGTH")) > limit:
            return too_large_response(request.path, request.headers.get("Accept", ""), limit)
        return None


def limit_asgi_request_size(app):
    """Wrap the ASGI application so that an over-long body is refused from its headers,
    before it is received (Django reads the whole body before any middleware runs); a body
    sent without a length is cut off once it passes the limit."""

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        if scope.get("method") in ("GET", "HEAD", "OPTIONS") and b"content-length" not in headers:
            return await app(scope, receive, send)  # no body: nothing to measure
        try:
            limit = max_request_bytes(resolve(scope.get("path", "/")).func)
        except Resolver404:
            limit = max_request_bytes()
        declared = headers.get(b"content-length")
        if declared is not None and _declared_length(declared.decode("latin-1")) > limit:
            with translation.override(settings.LANGUAGE_CODE):
                response = too_large_response(
                    scope.get("path", ""), headers.get(b"accept", b"").decode("latin-1"), limit
                )
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", response["Content-Type"].encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": response.content})
            return None
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # no length was declared: stop reading here
                    return {"type": "http.disconnect"}
            return message

        return await app(scope, counted, send)

    return guarded
