"""The site's menus, to which each app adds its own entries (NetBox's navigation registry).

An app declares its entries in its ``navigation.py``; core imports every installed app's
``navigation`` module when the apps are ready (as the admin finds ``admin.py``), so core
names no app and an app needs no wiring beyond the file::

    from gongzhi.core.navigation import Entry, register

    register(
        Entry("queue", _("Case queue"), "cases:queue", order=40, roles=STAFF_DESK),
        Entry("inbox", _("Unit inbox"), "cases:inbox", order=70, when=has_inbox),
    )

Who sees an entry: ``roles`` (any one of them), ``desk`` (the name of a group registered
with ``register_desk``: an app below ``accounts`` names a desk without importing roles),
``when`` (a test of the ``Viewer``); all that are given must agree, and an entry that gives
none is seen by everyone signed in. ``order`` places it in its menu
("main", the bar across the top, or "user", beside the user's name). ``url`` is a URL name
or a callable of the viewer; ``query`` a query string (or a callable of the viewer returning
one: an empty string hides the entry); ``badge`` the URL name of a fragment that htmx loads
beside the label (a count).

``menu_for(user)`` gives the entries a user sees, in order and with their URLs resolved;
``gongzhi.core.context_processors.viewer`` puts it in every page's context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

from .scope import scope_for

MAIN = "main"
USER = "user"


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the page: what an entry's tests ask about."""

    user: object
    roles: frozenset[str]


@dataclass(frozen=True)
class Entry:
    name: str
    label: object  # a lazy translation
    url: str | Callable[[Viewer], str]
    order: int = 100
    roles: frozenset[str] | None = None
    desk: str = ""
    when: Callable[[Viewer], bool] | None = None
    query: str | Callable[[Viewer], str] = ""
    badge: str = ""
    testid: str = ""
    menu: str = MAIN

    def shown_to(self, viewer: Viewer) -> bool:
        if self.roles is not None and not viewer.roles & self.roles:
            return False
        if self.desk and not registry.at_desk(self.desk, viewer):
            return False
        return self.when is None or bool(self.when(viewer))


@dataclass(frozen=True)
class Item:
    """An entry as one viewer's page shows it."""

    name: str
    label: object
    url: str  # with its query string
    query: str = ""
    badge: str = ""
    testid: str = ""


@dataclass
class _Registry:
    entries: dict[str, Entry] = field(default_factory=dict)
    desks: dict[str, Callable[[Viewer], bool]] = field(default_factory=dict)

    def register(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            if entry.name in self.entries:
                raise ValueError(f"The menu entry {entry.name!r} is registered twice.")
            self.entries[entry.name] = entry

    def register_desk(self, name: str, test: Callable[[Viewer], bool]) -> None:
        if name in self.desks:
            raise ValueError(f"The desk {name!r} is registered twice.")
        self.desks[name] = test

    def at_desk(self, name: str, viewer: Viewer) -> bool:
        try:
            test = self.desks[name]
        except KeyError:
            raise LookupError(
                f"No app registers the desk {name!r} a menu entry asks for."
            ) from None
        return bool(test(viewer))

    def ordered(self) -> list[Entry]:
        # Ties keep the order of registration (dicts keep insertion order; sorted is stable).
        return sorted(self.entries.values(), key=lambda e: e.order)


registry = _Registry()


def register(*entries: Entry) -> None:
    registry.register(entries)


def register_desk(name: str, members: frozenset[str] | Callable[[Viewer], bool]) -> None:
    """Name a group of viewers: a set of roles (any one of them) or a test of the viewer."""
    if callable(members):
        registry.register_desk(name, members)
    else:
        roles = frozenset(members)
        registry.register_desk(name, lambda viewer: bool(viewer.roles & roles))


def autodiscover() -> None:
    """Import every installed app's ``navigation`` module (from CoreConfig.ready)."""
    autodiscover_modules("navigation")


def _resolve(entry: Entry, viewer: Viewer) -> Item | None:
    query = entry.query(viewer) if callable(entry.query) else entry.query
    if callable(entry.query) and not query:
        return None
    url = entry.url(viewer) if callable(entry.url) else reverse(entry.url)
    return Item(
        name=entry.name,
        label=entry.label,
        url=f"{url}?{query}" if query else url,
        query=query,
        badge=reverse(entry.badge) if entry.badge else "",
        testid=entry.testid,
    )


def menu_for(user, roles: Iterable[str] | None = None) -> dict[str, list[Item]]:
    """``{menu: [items]}``: what ``user`` sees, in order. Empty for a visitor not signed in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    if roles is None:
        roles = scope_for(user).roles
    viewer = Viewer(user=user, roles=frozenset(roles))
    menus: dict[str, list[Item]] = {}
    for entry in registry.ordered():
        if not entry.shown_to(viewer):
            continue
        item = _resolve(entry, viewer)
        if item is not None:
            menus.setdefault(entry.menu, []).append(item)
    return menus
