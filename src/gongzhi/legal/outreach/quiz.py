"""A short quiz per article: 3 to 5 single-choice questions, kept as JSON on the article
(``[{"question", "options": [...], "answer": index}]``), written by staff as plain text:
one block per question, separated by a blank line, the question on the first line, then
one option a line, the right one marked with a leading ``*``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core.errors import ServiceError

MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
MIN_OPTIONS, MAX_OPTIONS = 2, 6


def parse(text: str) -> list[dict]:
    """The quiz written as text, checked; an empty text is no quiz."""
    blocks = [b for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    quiz = []
    for block in blocks:
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        question, options, answer = lines[0], [], None
        for line in lines[1:]:
            if line.startswith(("*", "＊")):
                if answer is not None:
                    raise ServiceError(
                        "quiz_two_answers",
                        _("Question “%(q)s” has more than one right answer.") % {"q": question},
                        "quiz",
                    )
                answer = len(options)
                line = line[1:].strip()
            options.append(line)
        quiz.append({"question": question, "options": options, "answer": answer})
    return check(quiz)


def check(quiz: list[dict]) -> list[dict]:
    if not quiz:
        return []
    if not MIN_QUESTIONS <= len(quiz) <= MAX_QUESTIONS:
        raise ServiceError(
            "quiz_size",
            _("A quiz has %(min)d to %(max)d questions.")
            % {"min": MIN_QUESTIONS, "max": MAX_QUESTIONS},
            "quiz",
        )
    for item in quiz:
        q, options, answer = item.get("question"), item.get("options") or [], item.get("answer")
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise ServiceError(
                "quiz_options",
                _("Question “%(q)s” needs 2 to 6 options.") % {"q": q},
                "quiz",
            )
        if not isinstance(answer, int) or not 0 <= answer < len(options):
            raise ServiceError(
                "quiz_no_answer",
                _("Mark the right option of question “%(q)s” with a leading *.") % {"q": q},
                "quiz",
            )
    return [
        {
            "question": str(i["question"]),
            "options": [str(o) for o in i["options"]],
            "answer": i["answer"],
        }
        for i in quiz
    ]


def as_text(quiz: list[dict]) -> str:
    return "\n\n".join(
        "\n".join(
            [item["question"]]
            + [("*" if n == item["answer"] else "") + o for n, o in enumerate(item["options"])]
        )
        for item in quiz or []
    )


def score(quiz: list[dict], choices: list) -> int:
    return sum(1 for item, c in zip(quiz, choices, strict=False) if c == item["answer"])


def check_choices(quiz: list[dict], choices) -> list[int]:
    """The reader's choices: one option per question, each an option's index."""
    if not quiz:
        raise ServiceError("no_quiz", _("This article has no quiz."))
    try:
        picked = [int(c) for c in choices]
    except (TypeError, ValueError):
        picked = []
    if len(picked) != len(quiz) or any(
        not 0 <= c < len(item["options"]) for c, item in zip(picked, quiz, strict=False)
    ):
        raise ServiceError("quiz_incomplete", _("Answer every question."), "choices")
    return picked
