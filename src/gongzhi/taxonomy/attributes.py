"""Answers to a category's extra questions: checked against the questions' rows and
normalised to what ``Case.attributes`` keeps (code → text, number, ISO datetime or list of
keys). Used by every intake path that asks the questions (Open311 ``attribute[...]``)."""

from __future__ import annotations

import math

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .models import AttributeDatatype as D
from .models import Category, CategoryAttribute

MAX_TEXT = {D.STRING: 200, D.TEXT: 2000}


class AnswerError(ValueError):
    def __init__(self, code: str, message: str, field: str):
        super().__init__(message)
        self.code, self.message, self.field = code, str(message), field


def questions(category: Category) -> list[CategoryAttribute]:
    """The category's enabled questions, in order, with their allowed answers."""
    return list(
        category.attributes.filter(enabled=True)
        .prefetch_related("values")
        .order_by("order", "code")
    )


def clean_answers(category: Category, raw: dict[str, list[str]]) -> dict:
    """Check the raw answers (each a list of strings, as posted) against the category's
    questions; return the answers to keep. An unknown code, a missing required answer, a
    value of the wrong type or not in the list raises AnswerError naming the question."""
    asked = {q.code: q for q in questions(category) if q.variable}
    unknown = sorted(set(raw) - set(asked))
    if unknown:
        raise AnswerError(
            "unknown_attribute",
            _("This category has no question “%(code)s”.") % {"code": unknown[0]},
            unknown[0],
        )
    answers = {}
    for code, question in asked.items():
        values = [v.strip() for v in raw.get(code, []) if v is not None and v.strip()]
        if not values:
            if question.required:
                raise AnswerError(
                    "required",
                    _("Please answer “%(question)s”.") % {"question": question.description},
                    code,
                )
            continue
        answers[code] = _clean(question, values)
    return answers


def _clean(question: CategoryAttribute, values: list[str]):
    label = question.description
    if question.datatype == D.MULTI:
        allowed = {v.key for v in question.values.all()}
        chosen = list(dict.fromkeys(values))
        if any(v not in allowed for v in chosen):
            raise _not_in_list(question)
        return chosen
    if len(values) > 1:
        raise AnswerError(
            "one_value", _("“%(question)s” takes one answer.") % {"question": label}, question.code
        )
    value = values[0]
    if question.datatype == D.SINGLE:
        if value not in {v.key for v in question.values.all()}:
            raise _not_in_list(question)
        return value
    if question.datatype == D.NUMBER:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise AnswerError(
                "not_a_number",
                _("“%(question)s” must be a number.") % {"question": label},
                question.code,
            )
        return int(number) if number.is_integer() and "." not in value else number
    if question.datatype == D.DATETIME:
        moment = parse_datetime(value)
        if moment is None and parse_date(value) is not None:
            moment = parse_datetime(value + "T00:00:00")
        if moment is None:
            raise AnswerError(
                "not_a_datetime",
                _("“%(question)s” must be a date and time (ISO 8601).") % {"question": label},
                question.code,
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.isoformat()
    if len(value) > MAX_TEXT.get(question.datatype, 2000):
        raise AnswerError(
            "too_long",
            _("The answer to “%(question)s” is too long.") % {"question": label},
            question.code,
        )
    return value


def _not_in_list(question: CategoryAttribute) -> AnswerError:
    return AnswerError(
        "not_in_list",
        _("The answer to “%(question)s” is not one of its choices.")
        % {"question": question.description},
        question.code,
    )


def labelled(category: Category, answers: dict) -> list[tuple[str, str]]:
    """The answers as (question, answer) to show a person, in the questions' order; an
    answer to a question deleted since is shown under its code."""
    if not answers:
        return []
    shown = []
    asked = {q.code: q for q in questions(category)}
    for code, question in asked.items():
        if code in answers:
            shown.append((question.description, _display(question, answers[code])))
    shown += [(code, str(value)) for code, value in answers.items() if code not in asked]
    return shown


def _display(question: CategoryAttribute, value) -> str:
    names = {v.key: v.name for v in question.values.all()}
    if isinstance(value, list):
        return "、".join(names.get(v, v) for v in value)
    if question.datatype == D.DATETIME:
        moment = parse_datetime(str(value))
        if moment is not None:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return names.get(value, str(value))
