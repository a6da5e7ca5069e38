"""Rotating the keys of personal data at rest (``gongzhi keys``).

``rotate`` puts a new seal key first in the key file (the old ones stay, so every value can
still be opened), then seals every value again under it, table by table in batches; with
``--digest`` it also makes a new lookup key and recomputes the digests (lookups compare
under every digest key meanwhile). Running processes pick the new file up within
``crypto.RECHECK_SECONDS``. ``retire`` seals what a process still holding the old key wrote
meanwhile, then drops every key but the newest. Each step is audited.
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models import CharField, ExpressionWrapper, F

from . import audit, crypto
from .fields import SealedCharField, digest_name

BATCH = 1000


class NotReady(Exception):
    pass


def sealed_fields() -> dict:
    """{model: [names of its sealed fields]} for every installed model."""
    found = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, SealedCharField)]
        if names:
            found[model] = names
    return found


def _stale(row, names, digest_key: bytes) -> bool:
    for name in names:
        stored = row[f"stored_{name}"]
        if stored and not crypto.is_sealed_with_newest(stored):
            return True
        plain = crypto.open_(stored)
        if row[digest_name(name)] != crypto.digest(plain, digest_key):
            return True
    return False


def _stale_batches(model, names):
    """The pks, a batch at a time, of the rows of ``model`` whose values are not sealed (or
    whose digests not computed) with the newest keys: the rows still to seal again."""
    digest_key = crypto.keys().digest_keys[0]
    raw = _stored(names)
    last = None
    while True:
        rows = model._base_manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.annotate(**raw).values("pk", *raw, *map(digest_name, names))[:BATCH])
        if not batch:
            return
        last = batch[-1]["pk"]
        yield [r["pk"] for r in batch if _stale(r, names, digest_key)]


def reseal(model, names) -> int:
    """Seal again every row of ``model`` not sealed with the newest keys; how many. Also the
    migration step that seals values stored before sealing (``fields.seal_rows``)."""
    fields = [*names, *map(digest_name, names)]
    changed = 0
    for stale in _stale_batches(model, names):
        if not stale:
            continue
        with transaction.atomic():
            objs = list(model._base_manager.filter(pk__in=stale).only("pk", *names))
            for obj in objs:
                for name in names:
                    setattr(obj, digest_name(name), crypto.digest(getattr(obj, name)))
            model._base_manager.bulk_update(objs, fields)
        changed += len(stale)
    return changed


def status() -> list[str]:
    keys = crypto.keys()
    lines = [
        f"seal keys: {len(keys.seal)} (the first seals), digest keys: {len(keys.digest)}",
        f"key file: {crypto.key_file()}",
    ]
    for model, names in sealed_fields().items():
        stale = sum(len(pks) for pks in _stale_batches(model, names))
        lines.append(f"{model._meta.label}: {', '.join(names)}: {stale} to seal again")
    return lines


def _stored(names) -> dict:
    # The stored text as it is: wrapped, the column is not opened by the field.
    return {f"stored_{n}": ExpressionWrapper(F(n), output_field=CharField()) for n in names}


def rotate(*, digest: bool = False) -> list[str]:
    old = crypto.keys()
    new = crypto.Keys(
        [crypto.new_seal_key(), *old.seal],
        [crypto.new_digest_key(), *old.digest] if digest else old.digest,
    )
    crypto.write_keys(new)
    lines = []
    for model, names in sealed_fields().items():
        lines.append(f"{model._meta.label}: {reseal(model, names)} sealed again")
    audit.record(
        actor=None,
        action="keys_rotated",
        reason=f"seal keys {len(new.seal)}, digest keys {len(new.digest)}",
    )
    return [*lines, "Run `gongzhi keys retire` once every process has restarted."]


def retire() -> list[str]:
    keys = crypto.keys()
    if len(keys.seal) == 1 and len(keys.digest) == 1:
        return ["Nothing to retire: one seal key and one digest key."]
    lines = []
    for model, names in sealed_fields().items():
        count = reseal(model, names)
        if count:
            lines.append(f"{model._meta.label}: {count} written meanwhile, sealed again")
    crypto.write_keys(crypto.Keys(keys.seal[:1], keys.digest[:1]))
    retired = len(keys.seal) - 1 + len(keys.digest) - 1
    audit.record(actor=None, action="keys_retired", reason=f"{retired} old keys dropped")
    return [*lines, f"Retired {retired} old key(s); the key file now holds the newest only."]
