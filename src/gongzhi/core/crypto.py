"""Personal data encrypted at rest: the keys, sealing and opening a value, and its digest.

ID numbers and phones are stored as Fernet tokens (AES-128-CBC with an HMAC-SHA256), so a
copy of the database, a backup or a replica reveals none of them without the key. Exact
lookups ("this caller's earlier cases", "the resident with this ID number") go through a
keyed digest (HMAC-SHA256) kept beside each value: equal values have equal digests, and the
digest says nothing without the key.

The keys live outside the database: ``GONGZHI_FIELD_KEYS`` (the JSON below) or the file at
``GONGZHI_FIELD_KEY_FILE`` (default ``var/field_keys.json``, made on first use, like the
secret key). The file holds ``{"seal": [newest, ...older], "digest": [newest, ...older]}``:
values are sealed with the newest key and opened with any; digests are compared under every
digest key, so lookups keep working while ``gongzhi keys rotate`` rewrites the rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "gz1$"  # marks a sealed value; a value without it is plain text from before sealing
_lock = threading.Lock()


class Keys:
    def __init__(self, seal: list[str], digest: list[str]):
        if not seal or not digest:
            raise ImproperlyConfigured("field keys need at least one seal and one digest key")
        self.seal = list(seal)
        self.digest = list(digest)
        self.fernets = [Fernet(k.encode()) for k in self.seal]
        self.fernet = MultiFernet(self.fernets)
        self.digest_keys = [bytes.fromhex(k) for k in self.digest]

    def as_json(self) -> str:
        return json.dumps({"seal": self.seal, "digest": self.digest}, indent=1)


def new_seal_key() -> str:
    return Fernet.generate_key().decode()


def new_digest_key() -> str:
    return secrets.token_hex(32)


def key_file() -> Path:
    # Fixed when the settings load (not read from VAR_DIR at each use), so that a process
    # keeps one key file for its life.
    return Path(settings.GONGZHI_FIELD_KEY_FILE)


_loaded: tuple[object, Keys] | None = None
_checked_at = 0.0
RECHECK_SECONDS = 10  # a rotated key file reaches every running process within this


def _read() -> tuple[object, str]:
    """(what identifies this version of the keys, their JSON)."""
    raw = os.environ.get("GONGZHI_FIELD_KEYS", "").strip()
    if raw:
        return ("env", raw), raw
    path = key_file()
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            made = Keys([new_seal_key()], [new_digest_key()])
            # Written once, readable by the platform's user only; losing it loses the data.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(made.as_json())
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size), path.read_text()


def keys() -> Keys:
    global _loaded, _checked_at
    now = time.monotonic()
    if _loaded is not None and now - _checked_at < RECHECK_SECONDS:
        return _loaded[1]
    version, raw = _read()
    _checked_at = now
    if _loaded is None or _loaded[0] != version:
        try:
            data = json.loads(raw)
            _loaded = (version, Keys(data["seal"], data["digest"]))
        except (ValueError, KeyError, TypeError) as error:
            raise ImproperlyConfigured(f"the field keys are not valid: {error}") from None
    return _loaded[1]


def write_keys(new: Keys) -> None:
    """Replace the key file in one step (the old one stays whole until the new is in place)."""
    if os.environ.get("GONGZHI_FIELD_KEYS", "").strip():
        raise ImproperlyConfigured(
            "the field keys come from GONGZHI_FIELD_KEYS: change that setting instead"
        )
    path = key_file()
    partial = path.with_suffix(".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(new.as_json())
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)
    reload()


def reload() -> None:
    global _loaded, _checked_at
    _loaded, _checked_at = None, 0.0


def seal(value):
    """The stored form of ``value``: empty and None stay as they are (so "no phone" needs no
    key to find), a value already sealed is kept."""
    if not value or not isinstance(value, str) or value.startswith(PREFIX):
        return value
    return PREFIX + keys().fernet.encrypt(value.encode()).decode()


def open_(value):
    """The plain value; text stored before sealing comes back as it was."""
    if not value or not isinstance(value, str) or not value.startswith(PREFIX):
        return value
    token = value[len(PREFIX) :].encode()
    try:
        return keys().fernet.decrypt(token).decode()
    except InvalidToken:
        reload()  # sealed by a process that already has a newer key
    try:
        return keys().fernet.decrypt(token).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "a sealed value cannot be opened with the field keys: is GONGZHI_FIELD_KEY_FILE "
            "the file this database was sealed with?"
        ) from None


def digest(value, key: bytes | None = None) -> str:
    """The keyed digest of a plain value under the newest digest key (or ``key``); ""
    for an empty value."""
    if not value:
        return ""
    key = key if key is not None else keys().digest_keys[0]
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()


def digests(value) -> list[str]:
    """The value's digest under every digest key: what a lookup compares with."""
    if not value:
        return [""]
    return [digest(value, k) for k in keys().digest_keys]


def is_sealed_with_newest(value: str) -> bool:
    """Whether a stored value needs no rewriting by a rotation."""
    if not value or not value.startswith(PREFIX):
        return not value
    newest = keys().fernets[0]
    try:
        newest.decrypt(value[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True
