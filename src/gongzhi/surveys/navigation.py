"""The surveys app's menu entries: the calling list for the hotline's operators, the waves
and results for those who run and read the survey. Roles only: no query for the menu."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Role
from gongzhi.core.navigation import Entry, register

register(
    Entry(
        "surveys_calls",
        _("Survey calls"),
        "surveys:calls",
        order=175,
        roles=frozenset({Role.HOTLINE_OPERATOR}),
        testid="nav-survey-calls",
    ),
    Entry(
        "surveys_waves",
        _("Safety surveys"),
        "surveys:waves",
        order=176,
        roles=frozenset({Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR}),
        testid="nav-surveys",
    ),
)
