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

from gongzhi.accounts.models import Organisation
from gongzhi.taxonomy.models import Category

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


# -- the units and categories a step names --------------------------------------------


# Steps whose "from"/"to" hold codes, and what the codes are codes of.
_CODED_ENDS = {"escalate": "organisation", "transfer": "organisation", "categorise": "category"}


def _names(model, field: str, codes) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(model.objects.filter(code__in=codes).values_list("code", field))


def display_data(event) -> dict:
    """The step's details with the units and categories it names by code given by name
    (``630224-ZZZX`` means nothing to a reader); the codes stay in ``event.data``."""
    data = dict(event.data or {})
    kind = _CODED_ENDS.get(event.action)
    if kind is not None:
        model, field = (Organisation, "name") if kind == "organisation" else (Category, "full_name")
        names = _names(model, field, [data.get("from"), data.get("to")])
        to_name = data.pop("to_name", None)
        for key in ("from", "to"):
            if data.get(key):
                data[key] = names.get(data[key]) or (to_name if key == "to" else None) or data[key]
    code = data.get("organisation")
    if code and not data.get("organisation_name"):
        data["organisation_name"] = _names(Organisation, "name", [code]).get(code, code)
    return data
