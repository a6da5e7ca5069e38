from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import audit

from . import masking, otp, services, sessions


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.GET.get("reason") == sessions.TIMED_OUT:
            context["timed_out"] = True
        return context


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse("home")
    return target or reverse("home")


# The two-factor pages are seen before the session is the user's: no menu (its entries, and
# the badges that poll, would only lead back here).
NO_MENU = {"menu": {"main": [], "user": []}}


def _never_cached(response):
    add_never_cache_headers(response)
    return response


@login_required
def two_factor_verify(request):
    """The second step of signing in: the code from the phone, or a recovery code."""
    user = request.user
    if user.is_verified() or not otp.check_required(user):
        return redirect(_next_url(request))
    if not otp.has_device(user):
        return redirect(f"{reverse('two_factor_enrol')}?{request.GET.urlencode()}")
    error = None
    status = 200
    if request.method == "POST":
        try:
            kind = otp.do_verify(user=user, code=request.POST.get("code", ""), request=request)
        except otp.TwoFactorError as refusal:
            error, status = refusal.message, 400 if refusal.code == "otp_wrong" else 429
        else:
            if kind == "recovery":
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code, which cannot be used again: "
                        "%(left)d are left. Set up your phone again from “My account” if it "
                        "is lost."
                    )
                    % {"left": otp.recovery_codes_left(user)},
                )
            return redirect(_next_url(request))
    context = {**NO_MENU, "error": error, "next": _next_url(request)}
    return _never_cached(render(request, "accounts/two_factor_verify.html", context, status=status))


@login_required
def two_factor_enrol(request):
    """Set up the authenticator app: scan the QR code, type one code, note the recovery
    codes (shown only on the page that answers the confirmation). A verified user may come
    here to replace their phone."""
    user = request.user
    if otp.has_device(user) and not user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
    error = None
    status = 200
    if request.method == "POST":
        try:
            codes = otp.do_confirm_enrolment(
                user=user, code=request.POST.get("code", ""), request=request
            )
        except otp.TwoFactorError as refusal:
            error, status = refusal.message, 400 if refusal.code == "otp_wrong" else 429
        else:
            context = {**NO_MENU, "codes": codes, "next": _next_url(request)}
            return _never_cached(render(request, "accounts/recovery_codes.html", context))
    context = {
        **NO_MENU,
        "enrolment": otp.enrolment(user),
        "error": error,
        "next": _next_url(request),
        "required": otp.role_requires(user),
    }
    return _never_cached(render(request, "accounts/two_factor_enrol.html", context, status=status))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Self-service: the old password, the new one twice, the policy applies. Every other
    session of the user ends (their session hash no longer matches); this one goes on."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            actor=self.request.user,
            action="password_change",
            obj=self.request.user,
            request=self.request,
        )
        messages.success(
            self.request,
            _("Your password is changed. You were signed out everywhere else."),
        )
        return response


@login_required
def profile(request):
    person = request.user
    memberships = person.memberships.select_related("organisation").order_by(
        "organisation__path", "role"
    )
    assignments = person.grid_assignments.select_related("grid__community").order_by("grid__code")
    response = render(
        request,
        "accounts/profile.html",
        {
            "person": person,
            "masked": services.masked_values(person),
            "memberships": memberships,
            "assignments": assignments,
            "two_factor": {
                "device": otp.has_device(person),
                "required": otp.enabled() and otp.role_requires(person),
                "exempt": otp.is_exempt(person),
                "recovery_left": otp.recovery_codes_left(person),
            },
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def reveal(request, app_label: str, model_name: str, pk: str):
    """Show the real values of masked personal data, audited (see services.reveal)."""
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        raise Http404 from None
    if not masking.sensitive_fields(model):
        raise Http404
    obj = get_object_or_404(model._default_manager, pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    template = (
        "accounts/_revealed.html" if request.headers.get("HX-Request") else "accounts/revealed.html"
    )
    try:
        values = services.reveal(
            viewer=request.user,
            obj=obj,
            fields=request.POST.getlist("fields") or None,
            request=request,
            reason=request.POST.get("reason", ""),
        )
    except services.RevealRefused as refusal:
        # No reason given, or too many reveals: say so where the button was (htmx swaps
        # only a 2xx answer in place; the refusal is in the audit log either way).
        status = 200 if request.headers.get("HX-Request") else refusal.status
        context = {"obj": obj, "refused": refusal.message, "back": back}
        response = render(request, template, context, status=status)
        add_never_cache_headers(response)
        return response
    rows = [(model._meta.get_field(name).verbose_name, value) for name, value in values.items()]
    response = render(request, template, {"obj": obj, "rows": rows, "back": back})
    add_never_cache_headers(response)
    return response
