"""A small JSON POST over the standard library, so the app needs no HTTP dependency."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .base import DeliveryError, PermanentDeliveryError

# Status codes that mean "try again later" even though they are 4xx (request timeout,
# too early, too many requests); every other 4xx is the receiver refusing for good.
RETRYABLE_4XX = {408, 425, 429}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without a body; refuse instead,
    # so a moved gateway shows up as an error an administrator can fix.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post_json(url: str, body: bytes, *, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` as JSON; return the 2xx status or raise a DeliveryError.

    Redirects are not followed. ``timeout`` bounds the connection and each read.
    """
    if urlsplit(url).scheme not in {"http", "https"}:
        raise PermanentDeliveryError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Gongzhi-Notify/1",
            **headers,
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(4096)
            status = response.status
    except urllib.error.HTTPError as e:
        detail = e.read(500).decode("utf-8", "replace").strip()
        message = f"HTTP {e.code} from {url}" + (f": {detail}" if detail else "")
        if 400 <= e.code < 500 and e.code not in RETRYABLE_4XX:
            raise PermanentDeliveryError(message, status=e.code) from None
        raise DeliveryError(message, status=e.code) from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        # URLError wraps refused connections and DNS failures; timeouts arrive as OSError.
        raise DeliveryError(f"{url}: {getattr(e, 'reason', e)}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} from {url}", status=status)
    return status
