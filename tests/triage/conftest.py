from pathlib import Path

import pytest

from .corpus import records, write_csv

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "teddy2020"


@pytest.fixture(autouse=True)
def _triage_settings(settings, tmp_path):
    # Models go to a throw-away dir; the active row is re-read on every call.
    settings.GONGZHI = {
        **settings.GONGZHI,
        "TRIAGE_MODEL_DIR": str(tmp_path / "models"),
        "TRIAGE_CHECK_SECONDS": 0,
    }
    from gongzhi.triage import registry

    registry.invalidate()
    yield
    registry.invalidate()


@pytest.fixture
def corpus():
    return records()


@pytest.fixture
def corpus_csv(tmp_path, corpus):
    return write_csv(tmp_path / "labelled.csv", corpus)


@pytest.fixture
def teddy():
    if not (SHARED / "labeled_messages.csv").is_file():
        pytest.skip(f"Teddy 2020 data not found at {SHARED}")
    return SHARED
