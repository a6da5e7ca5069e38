"""What a phone needs to keep reports while it has no signal and send them later: an opaque
name for the account that took them, and the categories to pick from offline."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse

from gongzhi.taxonomy.models import Category, CategoryAttribute

from .. import channels


def reporter_tag(user) -> str:
    """An opaque name for the signed-in account, so that a phone sends a kept report only
    under the account that took it (a shared phone, a sign-out in between)."""
    message = f"outbox:{user.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:24]


def offline_categories() -> list[dict]:
    """Every enabled category, for the picker to search when the network is gone, with the
    questions it asks (``questions``, only where it has any): a report kept offline asks
    them on the phone as the page does online (``_questions.html``), so that a required
    one is answered before the report waits in the outbox."""
    rows = Category.objects.filter(enabled=True).order_by("path")
    disabled = list(Category.objects.filter(enabled=False).values_list("path", flat=True))
    disabled += channels.reserved_paths()
    asked = offline_questions()
    return [
        {
            "id": c.pk,
            "name": c.name,
            "full_name": c.full_name,
            "keywords": c.keywords or "",
            **({"questions": asked[c.pk]} if c.pk in asked else {}),
        }
        for c in rows.only("pk", "name", "full_name", "keywords", "path")
        if not any(c.path.startswith(p) for p in disabled)
    ]


def offline_questions() -> dict[int, list[dict]]:
    """The questions each category asks a reporter (``taxonomy.attributes.questions``: the
    enabled ones a person answers), by category id: two queries for all of them."""
    found: dict[int, list[dict]] = {}
    questions = (
        CategoryAttribute.objects.filter(enabled=True, variable=True, category__enabled=True)
        .prefetch_related("values")
        .order_by("category_id", "order", "code")
    )
    for q in questions:
        found.setdefault(q.category_id, []).append(
            {
                "code": q.code,
                "text": q.description,
                "datatype": q.datatype,
                "hint": q.datatype_description,
                "required": q.required,
                "values": [[v.key, v.name] for v in q.values.all()],
            }
        )
    return found


def page_context(user=None) -> dict:
    """What the report page and its shell both carry for working offline. The shell is kept
    for nobody (``user`` None): reports taken on it belong to whoever last opened the page."""
    return {
        "offline": {
            "reportUrl": reverse("cases:report"),
            "sessionUrl": reverse("cases:report_session"),
            "workerUrl": reverse("cases:report_worker"),
            "scope": reverse("cases:report"),
            "reporter": reporter_tag(user) if user is not None else "",
        },
        "offline_categories": offline_categories(),
    }
