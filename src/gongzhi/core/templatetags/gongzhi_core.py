from django import template
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import holidays

register = template.Library()


@register.inclusion_tag("admin/calendar_notice.html", takes_context=True)
def calendar_notice(context):
    """Tell the administrators who can enter them which years' holidays are missing."""
    if not context["request"].user.has_perm("core.add_calendarday"):
        return {"years": []}
    return {
        "years": holidays.notice_years(timezone.localdate()),
        "days_off": holidays.STATUTORY_DAYS_OFF,
        "url": reverse("admin:core_calendarday_changelist"),
        "import_url": reverse("admin:core_calendarday_import"),
    }
