"""The address a request came from: for rate limits, login lockouts and the audit log.

Behind a reverse proxy (nginx in front of gunicorn) every request arrives from the proxy,
so a per-address limit would count a whole city as one client. The client's address is
then in X-Forwarded-For, which anybody can also send. Only the proxies named in
``GONGZHI_TRUSTED_PROXIES`` (addresses or networks, comma-separated) are believed: when a
request comes from one of them, its address is the right-most entry of X-Forwarded-For that
is not a trusted proxy (the one the outermost proxy saw); anything further left was written
by the client. With no trusted proxies, X-Forwarded-For is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4)
def _parse(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"GONGZHI_TRUSTED_PROXIES: {entry!r} is not an address or a network"
            ) from None
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    entries = settings.GONGZHI.get("TRUSTED_PROXIES", ())
    if isinstance(entries, str):
        entries = entries.split(",")
    return _parse(tuple(e for e in entries if e.strip()))


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in net for net in networks)


def client_address(request) -> str:
    """The client's address as a string ("" when unknown)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_proxies()
    if not networks or not _trusted(_address(remote), networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote  # a trusted proxy writes addresses: the chain is not to be believed
        if not _trusted(address, networks):
            return str(address)
    return str(_address(hops[0])) if hops else remote
