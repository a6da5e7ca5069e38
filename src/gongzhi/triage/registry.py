"""Model files on disk and the process's loaded copy of the active one.

Each process keeps the active model in memory and, at most every
``GONGZHI["TRIAGE_CHECK_SECONDS"]`` seconds (default 5), reads the active row's version
with one indexed query. When ``gongzhi triage train`` (or the admin) activates another
version, every web process and worker loads it on its next call: no restart, no shared
in-memory state.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import joblib
from django.conf import settings

from .classifier import TextClassifier


def _conf(key: str, default):
    return getattr(settings, "GONGZHI", {}).get(key, default)


def model_dir() -> Path:
    configured = _conf("TRIAGE_MODEL_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "triage" / "models"


def save(model: TextClassifier, version: str) -> str:
    """Write the model file atomically (temp + rename); returns its name in the model dir."""
    directory = model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{version}.joblib"
    tmp = directory / f".{name}.tmp"
    joblib.dump(model, tmp, compress=3)
    tmp.replace(directory / name)
    return name


def load(name: str) -> TextClassifier:
    return joblib.load(model_dir() / name)


@dataclass(frozen=True)
class Loaded:
    version: str
    model: TextClassifier
    # [coverage, threshold] pairs measured on held-out folds at training (may be empty).
    coverage_curve: tuple = ()


class _Holder:
    loaded: Loaded | None = None
    next_check = 0.0
    lock = threading.Lock()


_holder = _Holder()


def active() -> Loaded | None:
    """The active model, reloaded when another version has been activated."""
    loaded = _holder.loaded
    if time.monotonic() < _holder.next_check:
        return loaded
    from .models import TriageModel

    with _holder.lock:
        row = TriageModel.objects.filter(is_active=True).values_list("version", "file").first()
        if row is None:
            _holder.loaded = None
        elif _holder.loaded is None or _holder.loaded.version != row[0]:
            try:
                metrics = TriageModel.objects.filter(version=row[0]).values_list(
                    "metrics", flat=True
                )
                curve = tuple(tuple(p) for p in (metrics.first() or {}).get("coverage_curve", ()))
                _holder.loaded = Loaded(row[0], load(row[1]), curve)
            except (OSError, EOFError, ValueError):
                # A row whose file is missing (e.g. another machine's var dir): no model
                # rather than a crash at intake; the dispatcher's queue takes the report.
                _holder.loaded = None
        _holder.next_check = time.monotonic() + float(_conf("TRIAGE_CHECK_SECONDS", 5.0))
        return _holder.loaded


def invalidate() -> None:
    _holder.loaded = None
    _holder.next_check = 0.0
