"""Photos on cases: stored with the step they document, served only through the case's
scope. The checks and the stripping of metadata are core's (``gongzhi.core.media``)."""

import secrets

from django.http import FileResponse
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound
from gongzhi.core.media import check_photo, check_photos, prepared  # noqa: F401 - the cases' API


def store_photo(*, case, image, stage: str, user, event=None):
    from gongzhi.cases.models import Attachment

    # A random part in the file name: wherever the files end up served (a proxy's /media/,
    # object storage), nobody finds them by counting case numbers.
    full, thumb = prepared(image, f"{case.number}-{secrets.token_urlsafe(16)}")
    attachment = Attachment(case=case, stage=stage, uploaded_by=user, event=event)
    attachment.image.save(full.name, full, save=False)
    attachment.thumbnail.save(thumb.name, thumb, save=False)
    attachment.save()
    return attachment


def photo_response(*, case, attachment_id: int, size: str = "full") -> FileResponse:
    """A case's photo as a response (the caller checked that the viewer sees the case):
    uploads have no public URL."""
    from gongzhi.cases.models import Attachment

    attachment = Attachment.objects.filter(case=case, pk=attachment_id).first()
    image = None
    if attachment is not None:
        image = (
            attachment.thumbnail if size == "thumb" and attachment.thumbnail else attachment.image
        )
    if not image:
        raise NotFound("not_found", _("Not found."))
    response = FileResponse(image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response
