"""Photos for any record (a case, a dispute, a visit): checked by content, bounded in size
and pixels, EXIF orientation applied and all metadata (including GPS) dropped from the
stored copy, with a thumbnail. Each app stores the files on its own attachment model."""

from io import BytesIO

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import ServiceError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS = 6
THUMB_SIZE = (360, 360)


def check_photo(upload) -> Image.Image:
    if upload.size > MAX_BYTES:
        raise ServiceError("photo_too_large", _("A photo may be at most 10 MB."), "photos")
    try:
        upload.seek(0)
        probe = Image.open(upload)
        fmt = probe.format
        if fmt not in ALLOWED_FORMATS:
            raise ServiceError(
                "photo_type", _("Only JPEG, PNG and WebP photos are accepted."), "photos"
            )
        # Check the declared size before decoding a single pixel: a decompression bomb
        # declares a huge canvas in a tiny file.
        if probe.width * probe.height > MAX_PIXELS:
            raise ServiceError("photo_pixels", _("The photo has too many pixels."), "photos")
        probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ServiceError(
            "photo_unreadable", _("This file is not a readable photo."), "photos"
        ) from None
    image.format_hint = fmt
    return image


def check_photos(uploads) -> list[Image.Image]:
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > MAX_PHOTOS:
        raise ServiceError(
            "too_many_photos", _("At most %(n)d photos per report.") % {"n": MAX_PHOTOS}, "photos"
        )
    return [check_photo(u) for u in uploads]


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
