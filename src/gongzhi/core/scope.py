"""One scoping rule for everything a user sees (ARCHITECTURE.md, rule 3).

A user's scope is the set of region subtrees and organisation subtrees their memberships
cover. Both trees are stored with a materialised ``path`` ("/630000/630200/630202/"), so
"inside my scope" is a handful of ``path__startswith`` conditions that work the same on
SQLite and PostgreSQL.

Every model a user can see has a manager built from ``ScopedQuerySet`` and declares how it
relates to the trees::

    class Grid(models.Model):
        scope_region_path = "community__path"      # lookup to a region path
        objects = ScopedQuerySet.as_manager()

    Grid.objects.visible_to(user)

A model may instead override ``scope_q(scope)`` on its queryset for a rule of its own.

Who belongs where is not core's business: the setting ``GONGZHI_SCOPE_BUILDER`` names the
function that builds a user's ``Scope`` (``gongzhi.accounts.scoping.build_scope``), so core
imports no app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Post:
    """One of the user's memberships: their role in a unit of a kind, the unit's path and
    the region paths it serves (so an app's own rule needs no second query)."""

    role: str
    kind: str
    path: str
    served: tuple[str, ...] = ()
    function: str = ""  # a department's function code (e.g. SFJ for a 司法局)


@dataclass(frozen=True)
class Scope:
    """What one user may see. ``everything`` for administrators and city-wide leaders."""

    user_id: int | None
    everything: bool = False
    region_paths: tuple[str, ...] = ()
    organisation_paths: tuple[str, ...] = ()
    # The places whose affairs the user governs (command centres, governments, townships,
    # communities, grid workers). A department serves a county but governs only its own
    # business, so its regions are in region_paths and not here.
    territory_paths: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)
    posts: tuple[Post, ...] = ()

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.region_paths and not self.organisation_paths

    def covers_region_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.region_paths)

    def governs_region_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.territory_paths)

    def covers_organisation_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.organisation_paths)


def _paths_q(lookup: str, paths: tuple[str, ...]) -> models.Q:
    if not paths:
        return models.Q(pk__in=[])
    return reduce(or_, (models.Q(**{f"{lookup}__startswith": p}) for p in paths))


@cache
def _builder(path: str):
    """The scope builder a dotted path names, imported once."""
    return import_string(path)


def scope_builder():
    path = getattr(settings, "GONGZHI_SCOPE_BUILDER", "")
    if not path:
        raise ImproperlyConfigured(
            "GONGZHI_SCOPE_BUILDER must name the function that builds a user's Scope."
        )
    return _builder(path)


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (a request keeps its user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(user_id=None)
    cached = getattr(user, "_gongzhi_scope", None)
    if cached is None:
        cached = scope_builder()(user)
        user._gongzhi_scope = cached
    return cached


class ScopedQuerySet(models.QuerySet):
    def scope_q(self, scope: Scope) -> models.Q:
        model = self.model
        conditions = []
        region_lookup = getattr(model, "scope_region_path", None)
        organisation_lookup = getattr(model, "scope_organisation_path", None)
        if region_lookup:
            conditions.append(_paths_q(region_lookup, scope.region_paths))
        if organisation_lookup:
            conditions.append(_paths_q(organisation_lookup, scope.organisation_paths))
        if not conditions:
            raise NotImplementedError(
                f"{model.__name__} declares no scope_region_path/scope_organisation_path "
                "and its queryset does not override scope_q()"
            )
        return reduce(or_, conditions)

    def visible_to(self, user) -> ScopedQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.nothing:
            return self.none()
        return self.filter(self.scope_q(scope)).distinct()
