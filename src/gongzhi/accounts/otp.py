"""Two-factor sign-in for staff (issue 22, safeguard 1), on django-otp.

Who: ``check_required(user)``. A user whose role is in ``GONGZHI_TWO_FACTOR_ROLES``
(administrators, the security and audit administrators, dispatchers, leaders by default),
the superuser and anyone the admin door is open to must sign in with a second step; anyone
else may choose to (a confirmed device makes it required for them too); residents never
need one. ``GONGZHI_2FA=off`` turns the whole of it off, and a ``TwoFactorExemption`` row
exempts one user (the demo marks its logins so).

How: the password step signs the session in as usual; ``TwoFactorMiddleware`` then keeps an
unverified session on the two-factor pages (enrolment when the user has no device, the code
otherwise) and treats it as anonymous on the API, so API tokens are unaffected. Enrolment
shows the secret as a QR code, confirms one code and shows ten recovery codes once; each
recovery code signs in once. Codes tried are limited per user (``core.ratelimit``, rate
``otp``). Every step is in the audit log: ``otp_enrolled``, ``otp_verified``, ``otp_failed``,
``recovery_used``, ``otp_reset``, ``otp_throttled``.
"""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.core import audit, ratelimit
from gongzhi.core.errors import NotAllowed

from .models import TwoFactorExemption
from .roles import member_roles

RECOVERY_CODES = 10
RATE_NAME = "otp"
DEFAULT_RATE = "10/15m"
SESSION_FREE_UNTIL = "gongzhi_2fa_free_until"
SESSION_FREE_STAMP = "gongzhi_2fa_free_stamp"
# A session that needs no second step is asked again at once when the user's access stamp
# moves (a role, an exemption or a device changed), and after this long in any case (a
# change made behind the platform's back, in SQL).
RECHECK_SECONDS = 300

ENROLLED = "otp_enrolled"
VERIFIED = "otp_verified"
FAILED = "otp_failed"
RECOVERY_USED = "recovery_used"
RESET = "otp_reset"
THROTTLED = "otp_throttled"


class TwoFactorError(NotAllowed):
    pass


# -- who ---------------------------------------------------------------------------------------


def enabled() -> bool:
    return bool(getattr(settings, "GONGZHI_TWO_FACTOR", True))


def required_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "GONGZHI_TWO_FACTOR_ROLES", ()))


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_exempt(user) -> bool:
    return TwoFactorExemption.objects.filter(user=user).exists()


def role_requires(user) -> bool:
    """Whether the user's roles (or the admin's door) ask for a second step."""
    if user.is_superuser or user.is_staff:
        return True
    return bool(member_roles(user) & required_roles())


def check_required(user) -> bool:
    """Whether this user must pass a second step before a session is theirs."""
    if not enabled() or user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_exempt(user):
        return False
    return role_requires(user) or has_device(user)


# -- enrolment -----------------------------------------------------------------------------------


@dataclass
class Enrolment:
    device: TOTPDevice
    uri: str
    secret: str  # base32, for typing in by hand
    qr_data_uri: str


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (made on first asking, kept until confirmed
    so that a reload shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


def enrolment(user) -> Enrolment:
    device = pending_device(user)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    uri = device.config_url
    return Enrolment(device=device, uri=uri, secret=secret, qr_data_uri=_qr_data_uri(uri))


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").strip().lower() if ch.isalnum())


def _check_rate(user, request) -> None:
    rate = ratelimit.rate(RATE_NAME) or DEFAULT_RATE
    try:
        ratelimit.check(RATE_NAME, f"user:{user.pk}", rate)
    except ratelimit.RateLimited as limited:
        audit.record(actor=user, action=THROTTLED, obj=user, request=request)
        raise TwoFactorError(
            "otp_throttled",
            _("Too many codes tried. Wait %(minutes)d minutes and try again.")
            % {"minutes": max(1, round(limited.retry_after / 60))},
            "code",
        ) from None


def do_confirm_enrolment(*, user, code: str, request=None) -> list[str]:
    """Confirm the pending device with a code from the phone: the device becomes the user's
    (replacing any earlier one), ten new recovery codes are made and returned — to be shown
    this once — and the session is verified."""
    _check_rate(user, request)
    device = pending_device(user)
    token = _normalise(code)
    if not (token.isdigit() and len(token) == device.digits and device.verify_token(token)):
        audit.record(actor=user, action=FAILED, obj=user, reason="enrolment", request=request)
        raise TwoFactorError(
            "otp_wrong",
            _("That code is not right. Type the 6 digits your app shows now."),
            "code",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(actor=user, action=ENROLLED, obj=user, request=request)
    if request is not None:
        django_otp.login(request, device)
        request.session.pop(SESSION_FREE_UNTIL, None)
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


# -- signing in ----------------------------------------------------------------------------------


def do_verify(*, user, code: str, request=None) -> str:
    """Check a code from the phone, or a recovery code (which then is used up); verify the
    session. Returns ``"totp"`` or ``"recovery"``."""
    _check_rate(user, request)
    token = _normalise(code)
    device = None
    kind = ""
    if token.isdigit():
        for candidate in TOTPDevice.objects.filter(user=user, confirmed=True):
            if len(token) == candidate.digits and candidate.verify_token(token):
                device, kind = candidate, "totp"
                break
    elif token:
        for candidate in StaticDevice.objects.filter(user=user, confirmed=True):
            if candidate.verify_token(token):
                device, kind = candidate, "recovery"
                break
    if device is None:
        audit.record(actor=user, action=FAILED, obj=user, request=request)
        raise TwoFactorError(
            "otp_wrong",
            _("That code is not right. Type the 6 digits your app shows now, or a recovery code."),
            "code",
        )
    if kind == "recovery":
        left = StaticToken.objects.filter(device=device).count()
        audit.record(
            actor=user, action=RECOVERY_USED, obj=user, reason=f"{left} left", request=request
        )
    else:
        audit.record(actor=user, action=VERIFIED, obj=user, request=request)
    if request is not None:
        django_otp.login(request, device)
    return kind


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# -- reset by the security administrator ---------------------------------------------------------


def check_can_reset(*, actor, user) -> None:
    if not actor.has_perm("otp_totp.delete_totpdevice"):
        raise TwoFactorError(
            "forbidden", _("Only the security administrator resets two-factor sign-in.")
        )


def do_reset(*, actor, user, request=None) -> int:
    """Remove the user's devices and recovery codes: their next sign-in enrols again."""
    check_can_reset(actor=actor, user=user)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        audit.record(actor=actor, action=RESET, obj=user, request=request)
    return removed


# -- the middleware ------------------------------------------------------------------------------

OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/favicon.ico", "/healthz")
API_PREFIXES = ("/api/", "/open311/")


class TwoFactorMiddleware:
    """An unverified session of a user who needs a second step reaches only the two-factor
    pages and signing out; on the API it is anonymous (tokens work as before)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        blocked = self._blocked(request)
        if blocked is not None:
            return blocked
        return self.get_response(request)

    def _blocked(self, request):
        if not enabled():
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        session = request.session
        if (
            session.get(SESSION_FREE_UNTIL, 0) > time.time()
            and session.get(SESSION_FREE_STAMP) == user.access_stamp
            and not (user.is_staff or user.is_superuser)
        ):
            return None
        if not check_required(user):
            session[SESSION_FREE_UNTIL] = time.time() + RECHECK_SECONDS
            session[SESSION_FREE_STAMP] = user.access_stamp
            return None
        path = request.path_info
        own = (reverse("two_factor_verify"), reverse("two_factor_enrol"), reverse("logout"))
        if path in own or path.startswith(OPEN_PREFIXES):
            return None
        if path.startswith(API_PREFIXES):
            request.user = AnonymousUser()
            return None
        if request.headers.get("HX-Request"):
            # A fragment (a badge's poll): never the sign-in page swapped into it.
            return HttpResponse(status=401)
        target = "two_factor_verify" if has_device(user) else "two_factor_enrol"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(target) + (f"?{query}" if query else ""))
