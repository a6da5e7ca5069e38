"""Who hears of each legal-aid step, after its commit: one table (in-app notices to the
applicant, the 法律援助中心's reviewers and director, the lawyer and the 司法局)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.models import OrganisationKind, Role, User
from gongzhi.notify import services as notify
from gongzhi.regions.models import RegionLevel, path_prefixes

from ..staff import JUSTICE_FUNCTION

STAFF = (Role.HANDLER, Role.LEADER)


def link(application) -> str:
    try:
        return reverse("legal:aid_detail", args=[application.number])
    except NoReverseMatch:  # the pages are not mounted
        return ""


def _active(qs):
    return qs.filter(is_active=True, memberships__organisation__is_active=True).distinct()


def centre_staff(application, roles=STAFF):
    """The reviewers (and director) of the 法律援助中心 serving the application's place."""
    return list(
        _active(
            User.objects.filter(
                memberships__organisation__kind=OrganisationKind.LEGAL_AID_CENTRE,
                memberships__role__in=roles,
                memberships__organisation__regions__path__in=path_prefixes(application.region_path),
            )
        )
    )


def directors(application):
    return centre_staff(application, (Role.LEADER,))


def bureau_staff(application):
    """The 司法局 of the application's county (or city): hears objections."""
    places = path_prefixes(application.region_path)
    high = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
    return list(
        _active(
            User.objects.filter(
                Q(
                    memberships__organisation__kind=OrganisationKind.DEPARTMENT,
                    memberships__organisation__function=JUSTICE_FUNCTION,
                )
                | Q(
                    memberships__organisation__kind=OrganisationKind.JUSTICE_OFFICE,
                    memberships__organisation__regions__level__in=high,
                ),
                memberships__role__in=STAFF,
                memberships__organisation__regions__path__in=places,
            )
        )
    )


def _applicant(application):
    people = []
    if application.applicant_id:
        people.append(application.applicant)
    if application.entered_by_id and application.entered_by_id != application.applicant_id:
        people.append(application.entered_by)
    return people


def _lawyer(application):
    return [application.lawyer] if application.lawyer_id else []


def _send(application, event, recipients, title) -> None:
    seen, people = set(), []
    for u in recipients:
        if u.pk != event.actor_id and u.pk not in seen:
            seen.add(u.pk)
            people.append(u)
    if not people:
        return
    notify.notify(
        recipients=people,
        kind=f"legal.aid.{event.action}",
        title=f"{title} · {application.number}",
        body=(event.note or "")[:500],
        link=link(application),
        data={"application": application.number, "action": event.action},
    )


def tell_applicant(application, event):
    titles = {
        "request_documents": _("Please supply the missing documents"),
        "lapse": _("Your legal-aid application was withdrawn: no documents in time"),
        "grant": _("Legal aid granted"),
        "grant_first": _("Legal aid granted first (urgent)"),
        "refuse": _("Legal aid refused"),
        "uphold": _("The justice bureau upheld the refusal"),
        "order_aid": _("The justice bureau ordered legal aid"),
        "assign": _("A lawyer was assigned to you"),
        "record_progress": _("Your legal-aid case progressed"),
        "terminate": _("Legal aid terminated"),
        "conclude": _("Your legal-aid case concluded"),
        "close": _("Your legal-aid case is closed: please rate it"),
        "review_advance": _("The review of your urgent legal aid is complete"),
        "deadline_warning": _("Documents due tomorrow"),
    }
    _send(application, event, _applicant(application), titles.get(event.action, _("Legal aid")))


def tell_reviewers(application, event):
    titles = {
        "apply": _("New legal-aid application"),
        "supply_documents": _("Missing documents supplied"),
        "lapse": _("Application withdrawn: no documents in time"),
        "withdraw": _("Application withdrawn by the applicant"),
        "deadline_warning": _("Legal-aid decision due soon"),
    }
    _send(application, event, centre_staff(application), titles.get(event.action, _("Legal aid")))


def tell_director(application, event):
    titles = {
        "mark_urgent": _("Urgent legal-aid application"),
        "uphold": _("The justice bureau upheld a refusal"),
        "order_aid": _("The justice bureau ordered aid: assign a lawyer"),
        "terminate": _("Legal aid terminated"),
        "conclude": _("Legal-aid case concluded"),
        "rate": _("The aided person rated the aid"),
        "deadline_warning": _("Legal-aid deadline tomorrow"),
        "deadline_overdue": _("Legal-aid deadline passed"),
    }
    _send(application, event, directors(application), titles.get(event.action, _("Legal aid")))


def tell_lawyer(application, event):
    titles = {
        "assign": _("A legal-aid case was assigned to you"),
        "rate": _("The aided person rated your aid"),
        "review_advance": _("The review of an urgent aid is complete"),
    }
    _send(application, event, _lawyer(application), titles.get(event.action, _("Legal aid")))


def tell_bureau(application, event):
    titles = {
        "object": _("Objection to a legal-aid refusal"),
        "deadline_warning": _("Objection decision due tomorrow"),
        "deadline_overdue": _("Legal-aid deadline passed"),
    }
    _send(application, event, bureau_staff(application), titles.get(event.action, _("Legal aid")))


def _deadline_warning(application, event):
    """A day ahead: the one who must act (reviewers, director, 司法局, or the applicant)."""
    field = (event.data or {}).get("deadline")
    if field == "decision_due":
        tell_reviewers(application, event)
    elif field == "assign_due":
        tell_director(application, event)
    elif field == "objection_due":
        tell_bureau(application, event)
    elif field == "supplement_due":
        tell_applicant(application, event)


def _deadline_overdue(application, event):
    """Overdue: the director and the 司法局."""
    tell_director(application, event)
    tell_bureau(application, event)


TOLD = {
    "apply": (tell_reviewers,),
    "request_documents": (tell_applicant,),
    "supply_documents": (tell_reviewers,),
    "lapse": (tell_applicant, tell_reviewers),
    "mark_urgent": (tell_director,),
    "grant": (tell_applicant,),
    "grant_first": (tell_applicant,),
    "refuse": (tell_applicant,),
    "review_advance": (tell_applicant, tell_lawyer),
    "object": (tell_bureau,),
    "uphold": (tell_applicant, tell_director),
    "order_aid": (tell_applicant, tell_director),
    "assign": (tell_lawyer, tell_applicant),
    "record_progress": (tell_applicant,),
    "terminate": (tell_applicant, tell_director),
    "conclude": (tell_applicant, tell_director),
    "close": (tell_applicant,),
    "rate": (tell_director, tell_lawyer),
    "withdraw": (tell_reviewers,),
    "deadline_warning": (_deadline_warning,),
    "deadline_overdue": (_deadline_overdue,),
}


def told_for(event) -> tuple:
    return TOLD.get(event.action, ())
