"""Notes the platform itself writes on a timeline, shown in each reader's language.

An event's note is stored as text, translated for whoever's request wrote it: a hotline
case saved in Chinese said "该渠道的事件自动受理。" to an English reader too. The platform's
own notes are known sentences, so the stored text is recognised in any language and said
again in the reader's.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

AUTO_ACCEPTED = gettext_noop("Accepted automatically for this channel.")
CATEGORY_SET = gettext_noop("Category set to “%(name)s”.")
FIXED = (AUTO_ACCEPTED,)


@cache
def _spellings() -> dict[str, str]:
    """Every language's text of each fixed note → the note's source text."""
    out = {}
    for msgid in FIXED:
        out[msgid] = msgid
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                out[gettext(msgid)] = msgid
    return out


def display_note(event) -> str:
    note = event.note or ""
    msgid = _spellings().get(note.strip())
    if msgid is not None:
        return gettext(msgid)
    name = (event.data or {}).get("to_name")
    if event.action == "categorise" and name:
        return gettext(CATEGORY_SET) % {"name": name}
    return note
