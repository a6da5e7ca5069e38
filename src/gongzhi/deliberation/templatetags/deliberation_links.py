"""Links between the hall and the rooms its topics are turned into: the dispute's page
names the topic it came from, linked for a viewer who may see that topic."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def topic_backlink(context, dispute) -> str:
    """“From topic YT-…: title” for a dispute raised from a topic; linked only when the
    viewer sees the topic (a hand-typed reference to no topic gives plain text)."""
    from gongzhi.mediation.choices import Source

    from ..models import Topic

    if dispute is None or dispute.source != Source.TOPIC or not dispute.source_ref:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    topic = (
        Topic.objects.visible_to(user).filter(number=dispute.source_ref).only("number").first()
        if user is not None and user.is_authenticated
        else None
    )
    if topic is None:
        return format_html(
            '<span data-testid="from-topic">{} {}</span>', _("From topic"), dispute.source_ref
        )
    return format_html(
        '<a href="{}" data-testid="from-topic">{} {}</a>',
        reverse("deliberation:topic", args=[topic.number]),
        _("From topic"),
        topic.number,
    )
