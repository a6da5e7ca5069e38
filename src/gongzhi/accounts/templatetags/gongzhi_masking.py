"""Template helpers for personal data: masked display and an audited "show" button.

    {% load gongzhi_masking %}
    {{ party.mobile|mask_as:"mobile" }}
    {% masked case "reporter_mobile" %}
    {% reveal_button case "reporter_name" "reporter_mobile" %}

``reveal_button`` renders nothing unless the current user may unmask those fields. It posts
to ``accounts:reveal_personal_data``; with htmx the revealed values replace the button in
place, without it the browser shows a small page with the values.
"""

from django import template

from .. import masking, services

register = template.Library()


@register.filter
def mask_as(value, kind: str) -> str:
    return masking.mask(kind, "" if value is None else str(value))


@register.simple_tag
def masked(obj, field: str) -> str:
    return masking.masked_value(obj, field)


@register.inclusion_tag("accounts/_reveal_button.html", takes_context=True)
def reveal_button(context, obj, *fields):
    request = context.get("request")
    viewer = getattr(request, "user", None)
    wanted = list(fields) or list(masking.sensitive_fields(obj))
    allowed = viewer is not None and services.can_unmask(viewer=viewer, obj=obj, fields=wanted)
    return {
        "allowed": allowed,
        "obj": obj,
        "app_label": obj._meta.app_label,
        "model_name": obj._meta.model_name,
        "fields": wanted,
        # Someone else's data is shown only for a stated reason (services.check_reason).
        "ask_reason": allowed and not services.is_own_record(viewer, obj),
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
