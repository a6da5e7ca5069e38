"""Idle sessions end (issue 22, safeguard 1): a member of staff who makes no request for
``GONGZHI_IDLE_TIMEOUT_MINUTES`` (30 by default; 0 turns it off) is signed out, and the login
page says why. The clock slides: every request restarts it (written at most once a minute,
so that a busy page does not save its session on every request). Residents keep the
session's own lifetime: their phone is theirs.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from gongzhi.core import audit

from .roles import is_staff, member_roles

LAST_SEEN = "gongzhi_last_seen"
WRITE_EVERY = 60  # seconds
TIMED_OUT = "idle"  # ?reason= on the login page


def timeout_seconds() -> int:
    return max(0, int(getattr(settings, "GONGZHI_IDLE_TIMEOUT_MINUTES", 30))) * 60


def applies_to(user) -> bool:
    return user.is_staff or user.is_superuser or is_staff(member_roles(user))


@receiver(user_logged_in, dispatch_uid="gongzhi_idle_clock")
def _start_the_clock(sender, request, user, **kwargs):
    # Decided at sign-in, so that no page pays for it (the session is saved then anyway).
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = time.time() if applies_to(user) else 0


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = timeout_seconds()
        user = getattr(request, "user", None)
        if limit and user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if last is None:
                # Unknown (a session from before): decide once whether it is staff's.
                request.session[LAST_SEEN] = now if applies_to(user) else 0
            elif last and now - last > limit:
                audit.record(actor=user, action="session_timeout", obj=user, request=request)
                logout(request)
                if request.path_info.startswith(("/api/", "/open311/")):
                    return self.get_response(request)  # anonymous now: a 401 of its own
                login = reverse("login")
                query = {"reason": TIMED_OUT}
                if request.method == "GET":
                    query["next"] = request.get_full_path()
                return redirect(f"{login}?{urlencode(query)}")
            elif last and now - last > WRITE_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
