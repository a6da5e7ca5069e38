"""The `gongzhi` command and settings read from the environment, as an operator meets them."""

import json
import os
import subprocess
import sys
from pathlib import Path

GONGZHI = str(Path(sys.executable).with_name("gongzhi"))


def _run(args, env_extra=None, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    env.update(env_extra or {})
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, **kwargs)


def _settings(tmp_path, **env):
    code = (
        "import django,json;from django.conf import settings;django.setup();"
        "print(json.dumps({'debug':settings.DEBUG,'key':settings.SECRET_KEY,"
        "'engine':settings.DATABASES['default']['ENGINE'],"
        "'name':str(settings.DATABASES['default']['NAME']),'lang':settings.LANGUAGE_CODE,"
        "'tz':settings.TIME_ZONE}))"
    )
    proc = _run(
        [sys.executable, "-c", code],
        {"DJANGO_SETTINGS_MODULE": "gongzhi.settings", "GONGZHI_VAR_DIR": str(tmp_path), **env},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_retired_keys_are_read_from_the_environment(tmp_path):
    code = (
        "import django,json;from django.conf import settings;django.setup();"
        "print(json.dumps([settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS]))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "GONGZHI_VAR_DIR": str(tmp_path),
        "GONGZHI_SECRET_KEY": "k" * 50,
        "GONGZHI_SECRET_KEY_FALLBACKS": " old-one-" + "a" * 40 + " , old-two-" + "b" * 40 + ",",
    }
    proc = _run([sys.executable, "-c", code], env)
    assert proc.returncode == 0, proc.stderr
    key, fallbacks = json.loads(proc.stdout)
    assert key == "k" * 50
    assert fallbacks == ["old-one-" + "a" * 40, "old-two-" + "b" * 40]
    # None set: none kept.
    proc = _run([sys.executable, "-c", code], {**env, "GONGZHI_SECRET_KEY_FALLBACKS": ""})
    assert json.loads(proc.stdout)[1] == []


def test_defaults_are_safe_and_chinese(tmp_path):
    s = _settings(tmp_path)
    assert s["debug"] is False
    assert s["engine"] == "gongzhi.core.sqlite"  # SQLite, writers queued on a file lock
    assert s["name"] == str(tmp_path / "gongzhi.sqlite3")
    assert (s["lang"], s["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = _settings(tmp_path)["key"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == first and len(first) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    assert _settings(tmp_path)["key"] == first
    assert _settings(tmp_path, GONGZHI_SECRET_KEY="from-env")["key"] == "from-env"


def test_database_url_and_debug_come_from_the_environment(tmp_path):
    s = _settings(tmp_path, DATABASE_URL="postgres://u@db.example:5432/gz", GONGZHI_DEBUG="1")
    assert s["debug"] is True
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "gz"


def test_the_console_script_offers_the_project_verbs(tmp_path):
    proc = _run([GONGZHI, "help"], {"GONGZHI_VAR_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    for verb in ("demo", "regions", "migrate"):
        assert verb in proc.stdout
