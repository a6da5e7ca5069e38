"""The legal services' menu entries (``gongzhi.core.navigation``): one entry for everyone
(the services' home, where a resident applies, asks, books and reads), and a desk entry for
each kind of legal staff, shown only to those who do that work."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Role
from gongzhi.core.navigation import Entry, register
from gongzhi.core.scope import scope_for

from . import staff


def _scope(viewer):
    return scope_for(viewer.user)


def _reviews(viewer) -> bool:
    return bool(staff.aid_reviewer_paths(_scope(viewer)))


def _hears_objections(viewer) -> bool:
    return bool(staff.justice_bureau_paths(_scope(viewer)))


def _books(viewer) -> bool:
    return bool(staff.notary_office_paths(_scope(viewer)))


def _writes(viewer) -> bool:
    scope = _scope(viewer)
    return not scope.everything and bool(staff.outreach_paths(scope))


def _answers_or_oversees(viewer) -> bool:
    """Lawyers answer questions; the county's legal-aid centre watches its county's."""
    scope = _scope(viewer)
    return staff.is_lawyer(scope) or bool(staff.aid_reviewer_paths(scope))


def _reads_figures(viewer) -> bool:
    scope = _scope(viewer)
    return (
        scope.everything
        or Role.LEADER in scope.roles
        or bool(staff.aid_reviewer_paths(scope) or staff.justice_bureau_paths(scope))
    )


register(
    Entry("legal", _("Legal services"), "legal:home", order=130),
    Entry("legal_aid_desk", _("Legal aid review"), "legal:aid_desk", order=131, when=_reviews),
    Entry(
        "legal_aid_lawyer",
        _("My aid cases"),
        "legal:aid_lawyer",
        order=132,
        roles=frozenset({Role.LAWYER}),
    ),
    Entry(
        "legal_advice_desk",
        _("Questions to answer"),
        "legal:advice_desk",
        order=133,
        when=_answers_or_oversees,
    ),
    Entry(
        "legal_objections",
        _("Aid objections"),
        "legal:aid_objections",
        order=134,
        when=_hears_objections,
    ),
    Entry("legal_notary_desk", _("Notary bookings"), "legal:notary_desk", order=135, when=_books),
    Entry(
        "legal_outreach_desk",
        _("Law popularisation desk"),
        "legal:outreach_desk",
        order=136,
        when=_writes,
    ),
    Entry(
        "legal_figures",
        _("Legal service figures"),
        "legal:figures",
        order=137,
        when=_reads_figures,
    ),
)
