"""The notary guide: a matter's questionnaire, document rules and fee rules are data on the
row (``NotaryMatter.questions``, ``.documents``, ``.fee``); this module checks their shape
(the admin refuses a bad one) and turns a resident's answers into the documents to bring and
the fee.

Shapes::

    questions: [{"key": "will", "text": "是否有遗嘱？",
                 "choices": [{"value": "yes", "label": "有"}, {"value": "no", "label": "没有"}]},
                {"key": "value", "text": "房产价值（元）", "type": "amount", "min": 0,
                 "max": 100000000, "when": {"property": ["yes"]}}]
    documents: [{"text": "被继承人死亡证明"}, {"text": "遗嘱原件", "when": {"will": ["yes"]}}]
    fee: {"fixed": 200,                                  # yuan per item
          "add": [{"when": {"will": ["yes"]}, "amount": 100, "label": "遗嘱继承"}],
          "per": {"on": "heirs", "amount": 50, "beyond": 2, "label": "每增加一位继承人"},
          "bands": {"on": "value", "minimum": 200,       # a percentage of the value, by band
                    "rates": [[200000, "0.01"], [500000, "0.008"], [null, "0.005"]]},
          "note": "…"}

A condition ``when`` holds when every key named has one of the values listed. A question
whose ``when`` does not hold is not asked, and its answer is ignored. ``per`` counts an
amount question or a choice whose value is a number. A matter's fee is the fixed part, plus
each ``add`` that holds, plus ``per``, plus the banded percentage (at least ``minimum``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gongzhi.core.errors import ServiceError

MAX_QUESTIONS = 12
MAX_AMOUNT = Decimal("1000000000000")
KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
CENT = Decimal("0.01")


# --- the definition ------------------------------------------------------------------------


def _is_key(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 30 and set(value) <= KEY_CHARS


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _when_errors(when, keys: dict, where: str) -> list[str]:
    if when is None:
        return []
    if not isinstance(when, dict) or not when:
        return [
            _("%(where)s: “when” must map question keys to lists of values.") % {"where": where}
        ]
    errors = []
    for key, values in when.items():
        if key not in keys:
            errors.append(_("%(where)s: no question “%(key)s”.") % {"where": where, "key": key})
        elif not isinstance(values, list) or not values:
            errors.append(
                _("%(where)s: the values for “%(key)s” must be a list.")
                % {"where": where, "key": key}
            )
        elif keys[key] is not None and not set(map(str, values)) <= keys[key]:
            errors.append(
                _("%(where)s: “%(key)s” has no such choice.") % {"where": where, "key": key}
            )
    return errors


def _question_errors(questions) -> tuple[list[str], dict]:
    """Errors, and the keys seen → their choice values (None for an amount)."""
    if not isinstance(questions, list):
        return [_("The questions must be a list.")], {}
    if len(questions) > MAX_QUESTIONS:
        return [_("At most %(n)s questions.") % {"n": MAX_QUESTIONS}], {}
    errors, keys = [], {}
    for i, q in enumerate(questions, 1):
        where = _("Question %(n)s") % {"n": i}
        if not isinstance(q, dict):
            errors.append(_("%(where)s must be an object.") % {"where": where})
            continue
        key = q.get("key")
        if not _is_key(key):
            errors.append(
                _("%(where)s: the key must be lower-case letters, digits or _.") % {"where": where}
            )
            continue
        if key in keys:
            errors.append(
                _("%(where)s: the key “%(key)s” is used twice.") % {"where": where, "key": key}
            )
        if not isinstance(q.get("text"), str) or not q["text"].strip():
            errors.append(_("%(where)s needs a text.") % {"where": where})
        errors += _when_errors(q.get("when"), keys, where)  # only earlier questions
        if q.get("type") == "amount":
            low, high = _number(q.get("min", 0)), _number(q.get("max", MAX_AMOUNT))
            if low is None or high is None or low > high:
                errors.append(
                    _("%(where)s: min and max must be numbers, min ≤ max.") % {"where": where}
                )
            keys[key] = None
            continue
        if "type" in q and q["type"] != "choice":
            errors.append(_("%(where)s: the type is “choice” or “amount”.") % {"where": where})
        choices = q.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            errors.append(_("%(where)s needs at least two choices.") % {"where": where})
            keys[key] = set()
            continue
        values = set()
        for c in choices:
            if not isinstance(c, dict) or not str(c.get("value", "")).strip() or not c.get("label"):
                errors.append(
                    _("%(where)s: each choice needs a value and a label.") % {"where": where}
                )
                break
            values.add(str(c["value"]))
        if len(values) != len(choices):
            errors.append(_("%(where)s: two choices have the same value.") % {"where": where})
        keys[key] = values
    return errors, keys


def _fee_errors(fee, keys: dict) -> list[str]:
    if not isinstance(fee, dict):
        return [_("The fee must be an object.")]
    errors = []
    where = _("Fee")
    if "fixed" in fee and (_number(fee["fixed"]) is None or _number(fee["fixed"]) < 0):
        errors.append(_("Fee: “fixed” must be an amount in yuan."))
    for add in fee.get("add", []) if isinstance(fee.get("add", []), list) else [None]:
        if not isinstance(add, dict) or _number(add.get("amount")) is None:
            errors.append(_("Fee: each “add” needs an amount."))
            continue
        errors += _when_errors(add.get("when"), keys, where)
    per = fee.get("per")
    if per is not None and (
        not isinstance(per, dict)
        or per.get("on") not in keys
        or _number(per.get("amount")) is None
        or _number(per.get("beyond", 0)) is None
    ):
        errors.append(_("Fee: “per” needs a question key “on”, an amount and “beyond”."))
    bands = fee.get("bands")
    if bands is not None:
        if not isinstance(bands, dict) or keys.get(bands.get("on"), 0) is not None:
            errors.append(_("Fee: “bands” must be “on” an amount question."))
        else:
            errors += _rate_errors(bands)
            errors += _when_errors(bands.get("when"), keys, where)
    return errors


def _rate_errors(bands: dict) -> list[str]:
    rates = bands.get("rates")
    if not isinstance(rates, list) or not rates:
        return [_("Fee: the bands need rates [[up to, rate], …].")]
    last = Decimal(0)
    for i, band in enumerate(rates):
        ok = isinstance(band, list | tuple) and len(band) == 2
        top = _number(band[0]) if ok and band[0] is not None else None
        rate = _number(band[1]) if ok else None
        open_top = ok and band[0] is None
        if not ok or rate is None or not (0 <= rate < 1):
            return [_("Fee: each band is [up to, rate] with a rate between 0 and 1.")]
        if open_top and i != len(rates) - 1:
            return [_("Fee: only the last band may be open (null).")]
        if not open_top and (top is None or top <= last):
            return [_("Fee: the bands must rise.")]
        last = top if top is not None else last
    if _number(bands.get("minimum", 0)) is None:
        return [_("Fee: the bands' minimum must be an amount.")]
    return []


def definition_errors(questions, documents, fee) -> dict[str, list[str]]:
    """The problems of a matter's definition, by field (empty: good)."""
    out: dict[str, list[str]] = {}
    q_errors, keys = _question_errors(questions)
    if q_errors:
        out["questions"] = q_errors
    d_errors = []
    if not isinstance(documents, list):
        d_errors.append(_("The documents must be a list."))
    else:
        for i, d in enumerate(documents, 1):
            where = _("Document %(n)s") % {"n": i}
            if not isinstance(d, dict) or not isinstance(d.get("text"), str) or not d["text"]:
                d_errors.append(_("%(where)s needs a text.") % {"where": where})
                continue
            d_errors += _when_errors(d.get("when"), keys, where)
    if d_errors:
        out["documents"] = d_errors
    f_errors = _fee_errors(fee, keys)
    if f_errors:
        out["fee"] = f_errors
    return out


# --- answers -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the guide says for the answers: the answers it kept (cleaned), each asked
    question with the answer's label, the documents to bring, the fee and its lines."""

    answers: dict
    asked: list[tuple[str, str]]
    documents: list[str]
    fee: Decimal
    lines: list[dict] = field(default_factory=list)
    note: str = ""


def _holds(when, answers: dict) -> bool:
    if not when:
        return True
    return all(str(answers.get(k)) in {str(v) for v in vals} for k, vals in when.items())


def asked_questions(matter, answers: dict) -> list[dict]:
    """The questions asked for these answers (those whose ``when`` holds)."""
    return [q for q in matter.questions if _holds(q.get("when"), answers)]


def clean_answers(matter, raw) -> dict:
    """The answers, checked: every question asked answered with one of its choices or an
    amount in range. All problems at once (``ServiceError.first_of``); nothing else kept."""
    if not isinstance(raw, dict):
        raise ServiceError("bad_answers", _("The answers must be an object."), "answers")
    answers, errors = {}, []
    for q in matter.questions:
        if not _holds(q.get("when"), answers):
            continue
        key, value = q["key"], raw.get(q["key"])
        value = "" if value is None else str(value).strip()
        if not value:
            errors.append(
                ServiceError("answer_missing", _("Please answer: %(q)s") % {"q": q["text"]}, key)
            )
            continue
        if q.get("type") == "amount":
            number = _number(value.replace(",", ""))
            low = _number(q.get("min", 0))
            high = _number(q.get("max", MAX_AMOUNT))
            if number is None or not (low <= number <= high):
                errors.append(
                    ServiceError(
                        "answer_out_of_range",
                        _("%(q)s: enter a number from %(low)s to %(high)s.")
                        % {"q": q["text"], "low": low, "high": high},
                        key,
                    )
                )
                continue
            answers[key] = format(number.quantize(CENT).normalize(), "f")
            continue
        if value not in {str(c["value"]) for c in q["choices"]}:
            errors.append(
                ServiceError(
                    "answer_not_a_choice",
                    _("%(q)s: choose one of the answers offered.") % {"q": q["text"]},
                    key,
                )
            )
            continue
        answers[key] = value
    if errors:
        raise ServiceError.first_of(errors)
    return answers


def _label(q: dict, value: str) -> str:
    if q.get("type") == "amount":
        return _("%(n)s yuan") % {"n": value}
    return next((str(c["label"]) for c in q["choices"] if str(c["value"]) == value), value)


def describe(matter, answers: dict) -> list[tuple[str, str]]:
    """(question, answer label) for each answered question, in the questionnaire's order."""
    return [
        (q["text"], _label(q, answers[q["key"]])) for q in matter.questions if q["key"] in answers
    ]


def _banded(value: Decimal, rates) -> Decimal:
    """A percentage of ``value``, each band's part at its rate (like income tax)."""
    total, floor = Decimal(0), Decimal(0)
    for top, rate in rates:
        ceiling = Decimal(str(top)) if top is not None else value
        if value > floor:
            total += (min(value, ceiling) - floor) * Decimal(str(rate))
        floor = ceiling
        if value <= floor:
            break
    return total


def _fee(matter, answers: dict) -> tuple[Decimal, list[dict]]:
    rules = matter.fee or {}
    lines = []
    if rules.get("fixed"):
        lines.append({"label": _("Fee per item"), "amount": Decimal(str(rules["fixed"]))})
    for add in rules.get("add", []):
        if _holds(add.get("when"), answers):
            lines.append(
                {"label": add.get("label") or _("Extra"), "amount": Decimal(str(add["amount"]))}
            )
    per = rules.get("per")
    if per and per["on"] in answers:
        count = _number(answers[per["on"]].split("-")[0].rstrip("+")) or Decimal(0)
        extra = max(count - Decimal(str(per.get("beyond", 0))), Decimal(0))
        if extra:
            lines.append(
                {
                    "label": per.get("label") or _("Each further one"),
                    "amount": extra * Decimal(str(per["amount"])),
                }
            )
    bands = rules.get("bands")
    if bands and bands["on"] in answers and _holds(bands.get("when"), answers):
        value = Decimal(answers[bands["on"]])
        amount = max(_banded(value, bands["rates"]), Decimal(str(bands.get("minimum", 0))))
        lines.append(
            {"label": bands.get("label") or _("By the value"), "amount": amount.quantize(CENT)}
        )
    total = sum((line["amount"] for line in lines), Decimal(0)).quantize(CENT)
    for line in lines:
        line["amount"] = line["amount"].quantize(CENT)
    return total, lines


def evaluate(matter, raw) -> Outcome:
    """The documents and the fee for a resident's answers (refused when they are bad)."""
    answers = clean_answers(matter, raw)
    documents = [d["text"] for d in matter.documents if _holds(d.get("when"), answers)]
    fee, lines = _fee(matter, answers)
    return Outcome(
        answers=answers,
        asked=describe(matter, answers),
        documents=documents,
        fee=fee,
        lines=lines,
        note=str((matter.fee or {}).get("note", "")),
    )
