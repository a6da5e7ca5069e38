"""Chinese first: every string the interface can show has a Chinese translation, and the
compiled catalogue Django loads matches the one we edit."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "gongzhi"
ZH = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"


def key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid)


def test_every_entry_of_the_chinese_catalogue_is_translated():
    po = polib.pofile(str(ZH / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy (guessed, unchecked): {fuzzy[:10]}"


def test_the_compiled_catalogue_is_up_to_date():
    po = {key(e): e.msgstr or e.msgstr_plural for e in polib.pofile(str(ZH / "django.po"))}
    mo = {key(e): e.msgstr or e.msgstr_plural for e in polib.mofile(str(ZH / "django.mo"))}
    po.pop(("", ""), None)
    mo.pop(("", ""), None)
    stale = {k for k in po if mo.get(k) != po[k]}
    assert not stale, f"run `make messages`: {sorted(stale)[:5]}"


def test_the_catalogue_holds_every_string_in_the_source(tmp_path):
    """makemessages on a copy of the source finds no string the catalogue lacks."""
    if not shutil.which("xgettext"):
        pytest.skip("xgettext (Debian package gettext) is not installed")
    copy = tmp_path / "gongzhi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    subprocess.run(
        [Path(sys.executable).parent / "gongzhi", "makemessages", "-l", "zh_Hans", "-v", "0"],
        cwd=copy,
        check=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    ours = {key(e) for e in polib.pofile(str(ZH / "django.po")) if not e.obsolete}
    new = sorted(key(e) for e in fresh if not e.obsolete and key(e) not in ours)
    assert not new, f"strings not in the catalogue (run `make messages`): {new[:10]}"
