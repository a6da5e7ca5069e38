from django.apps import apps
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import masking, services


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


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
