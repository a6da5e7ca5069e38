"""Proposed tests/core/test_house_bases.py: the choice set, the menu registry, the scope builder."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from gongzhi.cases.choices import OPEN_STATES, State
from gongzhi.core import navigation
from gongzhi.core.choices import NEUTRAL
from gongzhi.core.scope import scope_for


def test_states_carry_their_colour_and_order_without_changing_their_choices():
    assert State.REPORTED.colour == "#6366f1"
    assert State.colour_of("returned") == "#78350f"
    assert State.colour_of("no-such-state") == NEUTRAL
    assert State.label_of("no-such-state") == "no-such-state"
    # The lists' order: the open states as a case lives through them, then the final ones.
    ordered = State.ordered()
    assert set(ordered[: len(OPEN_STATES)]) == OPEN_STATES
    assert ordered[0] == State.REPORTED and ordered[-1] == State.MERGED
    # The declaration order (the field's choices, its migrations) is unchanged.
    assert State.values[:3] == ["reported", "accepted", "dispatched"]
    assert list(State.colours()) == State.values


def test_the_menu_follows_the_registry_for_each_desk(db):
    from tests.world import build

    w = build()
    names = lambda user: [i.name for i in navigation.menu_for(user)["main"]]  # noqa: E731
    assert names(w.operator)[:5] == ["overview", "hotline", "queue", "callbacks", "map"]
    assert "inbox" not in names(w.leader)  # a government's leader supervises, has no inbox
    assert "inbox" in names(w.handler) and "queue" not in names(w.handler)
    callbacks = {i.name: i for i in navigation.menu_for(w.operator)["main"]}["callbacks"]
    assert callbacks.url.startswith(reverse("cases:queue") + "?") and callbacks.testid
    notices = navigation.menu_for(w.handler)["user"]
    assert [i.badge for i in notices] == [reverse("notify:unread_count")]


def test_an_entry_is_registered_once_and_a_desk_must_exist():
    with pytest.raises(ValueError):
        navigation.register(navigation.Entry("queue", "x", "cases:queue"))
    entry = navigation.Entry("x", "x", "home", desk="no-such-desk")
    with pytest.raises(LookupError):
        entry.shown_to(navigation.Viewer(user=None, roles=frozenset()))


def test_core_builds_scopes_with_the_builder_the_settings_name(db, settings, django_user_model):
    user = django_user_model.objects.create_user("u1", password="x")
    settings.GONGZHI_SCOPE_BUILDER = f"{__name__}.everything"
    assert scope_for(user).everything
    settings.GONGZHI_SCOPE_BUILDER = ""
    with pytest.raises(ImproperlyConfigured):
        scope_for(django_user_model.objects.get(pk=user.pk))


def everything(user):
    from gongzhi.core.scope import Scope

    return Scope(user_id=user.pk, everything=True)
