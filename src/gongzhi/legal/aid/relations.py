"""How a person relates to a legal-aid application: the second half of each rule."""

from __future__ import annotations

from ..staff import aid_director_paths, aid_reviewer_paths, covers, justice_bureau_paths


def applies(actor, application, scope) -> bool:
    """The applicant, or the staff member who entered the application for them."""
    return actor.pk in {application.applicant_id, application.entered_by_id} - {None}


def own(actor, application, scope) -> bool:
    """The applicant themselves (their account): rating is theirs alone."""
    return application.applicant_id is not None and application.applicant_id == actor.pk


def reviews(actor, application, scope) -> bool:
    """A handler or the director of the 法律援助中心 serving the application's place."""
    return covers(aid_reviewer_paths(scope), application.region_path)


def directs(actor, application, scope) -> bool:
    """The director (leader) of that 法律援助中心."""
    return covers(aid_director_paths(scope), application.region_path)


def represents(actor, application, scope) -> bool:
    """The lawyer assigned to the application."""
    return application.lawyer_id is not None and application.lawyer_id == actor.pk


def hears_objections(actor, application, scope) -> bool:
    """Staff of the 司法局 of the application's county."""
    return covers(justice_bureau_paths(scope), application.region_path)


PREDICATES = {f.__name__: f for f in (applies, own, reviews, directs, represents, hears_objections)}
