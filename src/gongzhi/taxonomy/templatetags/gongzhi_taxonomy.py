from django import template

from gongzhi.taxonomy.attributes import labelled

register = template.Library()


@register.filter
def answers(case) -> list[tuple[str, str]]:
    """A case's answers to its category's extra questions: ``{% for q, a in case|answers %}``."""
    return labelled(case.category, case.attributes or {})
