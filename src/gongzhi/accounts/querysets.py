"""Scoped querysets for organisations, memberships and users (see gongzhi.core.scope).

An organisation is visible to a user when it lies in one of the user's organisation
subtrees, or when it serves a region inside the user's region subtrees. So a township
handler sees the township government's own units (justice office, police station,
community committees) and any other unit that serves a place in the township (a property
company of one of its communities), but not the county departments above them.

A membership is visible when its organisation is; a user is visible when they are a member
of a visible organisation. Every user can see themselves. Administrators see everything.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models

from gongzhi.core.scope import Scope, ScopedQuerySet, scope_for


def _startswith_any(lookup: str, paths: tuple[str, ...]) -> models.Q | None:
    if not paths:
        return None
    return reduce(or_, (models.Q(**{f"{lookup}__startswith": p}) for p in paths))


def visible_organisation_ids(scope: Scope) -> models.QuerySet:
    """A subquery of the ids of the organisations ``scope`` covers."""
    from .models import Organisation

    conditions = []
    by_tree = _startswith_any("path", scope.organisation_paths)
    if by_tree is not None:
        conditions.append(by_tree)
    by_region = _startswith_any("region__path", scope.region_paths)
    if by_region is not None:
        served = Organisation.regions.through.objects.filter(by_region).values("organisation_id")
        conditions.append(models.Q(pk__in=served))
    if not conditions:
        return Organisation.objects.none().values("pk")
    return Organisation.objects.filter(reduce(or_, conditions)).values("pk")


class OrganisationQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> models.Q:
        return models.Q(pk__in=visible_organisation_ids(scope))


class MembershipQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> models.Q:
        return models.Q(organisation_id__in=visible_organisation_ids(scope))


class UserQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> models.Q:
        from .models import Membership

        members = Membership.objects.filter(
            organisation_id__in=visible_organisation_ids(scope)
        ).values("user_id")
        return models.Q(pk__in=members) | models.Q(pk=scope.user_id)

    def visible_to(self, user) -> UserQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.user_id is None:
            return self.none()
        if scope.nothing:  # a resident sees their own account only
            return self.filter(pk=scope.user_id)
        return self.filter(self.scope_q(scope))


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, create_superuser …) with ``visible_to``."""
