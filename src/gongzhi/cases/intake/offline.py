"""随手拍 without signal: the web app manifest, the service worker, the page shell it keeps
for opening the report page offline, and the session check a phone makes before it sends
the reports it kept.

The worker is served from /cases/report/sw.js, so its default scope is /cases/report/ and no
``Service-Worker-Allowed`` header is needed. What it caches is never personal: the static
files and a shell of the report page rendered for nobody (no name, no "My reports").
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gongzhi.accounts.roles import REPORTING_ROLES, roles_of
from gongzhi.cases.intake.forms import QuickReportForm
from gongzhi.cases.intake.outbox import page_context, reporter_tag
from gongzhi.cases.intake.views import NEARBY_RADIUS_M
from gongzhi.core.media import MAX_PHOTOS

# What the report page needs to open with no network; the worker also keeps any other static
# file the page asks for.
SHELL_ASSETS = [
    "gongzhi/app.css",
    "gongzhi/intake.css",
    "gongzhi/offline.css",
    "gongzhi/basemap.js",
    "gongzhi/intake.js",
    "gongzhi/offline.js",
    "gongzhi/outbox.js",
    "vendor/htmx/htmx.min.js",
    "vendor/idb-keyval/umd.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "gongzhi/icons/icon-192.png",
]
ICONS = [("gongzhi/icons/icon-192.png", "192x192"), ("gongzhi/icons/icon-512.png", "512x512")]


@login_required
@require_GET
def shell(request):
    """The report page as the worker keeps it: for nobody, so a phone shared by two people
    never shows one the other's name or reports. Sending always goes through the outbox."""
    if not roles_of(request.user) & REPORTING_ROLES:
        raise PermissionDenied
    context = {
        "form": QuickReportForm(),
        "category": None,
        "max_photos": MAX_PHOTOS,
        "radius_m": NEARBY_RADIUS_M,
        "my_reports": [],
        "shell": True,
        "user": AnonymousUser(),  # hides the name and menus of base.html
        "messages": [],  # a pending "thank you" is not kept, nor taken from the next page
        **page_context(),
    }
    response = render(request, "cases/intake/report.html", context)
    response["Cache-Control"] = "private, no-cache"
    return response


@never_cache
@require_GET
def session(request):
    """Who is signed in, and a fresh CSRF token: asked before every round of sending, since
    the token in a page kept for days is stale after a new sign-in."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"signed_in": False})
    return JsonResponse(
        {
            "signed_in": True,
            "may_report": bool(roles_of(user) & REPORTING_ROLES),
            "reporter": reporter_tag(user),
            "csrf": get_token(request),
        }
    )


@require_GET
def worker(request):
    assets = [static(path) for path in SHELL_ASSETS]
    config = {
        "reportUrl": reverse("cases:report"),
        "shellUrl": reverse("cases:report_shell"),
        "sessionUrl": reverse("cases:report_session"),
        "staticUrl": settings.STATIC_URL
        if settings.STATIC_URL.startswith("/")
        else "/" + settings.STATIC_URL,
        "assets": assets,
        # Hashed names never change content: those are served from the cache first.
        "hashedStatic": isinstance(staticfiles_storage, ManifestFilesMixin),
        "libraries": [static("vendor/idb-keyval/umd.js"), static("gongzhi/outbox.js")],
        # A new list of files (new hashed names) is a new worker and a fresh cache.
        "version": hashlib.sha256(json.dumps(assets).encode()).hexdigest()[:12],
    }
    response = render(
        request,
        "cases/intake/sw.js",
        {"config_json": json.dumps(config)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("Gongzhi quick report"),
        "short_name": _("Quick report"),
        "description": _("Report a problem in your neighbourhood, even without signal."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("cases:report"),
        "scope": reverse("cases:report"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4ed8",
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": "any"}
            for path, sizes in ICONS
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )
