"""Password policy beyond Django's validators (which refuse short, common and all-digit
passwords): at least three of four character classes, and no patterns."""

import functools
import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"\d"), re.compile(r"[^\w\s]|_"))


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if sum(bool(c.search(password)) for c in _CLASSES) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least three of: lower-case letters, upper-case "
            "letters, digits and symbols."
        )


# Rows of a keyboard, and the columns typed top to bottom (1qaz2wsx…), each also backwards.
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
_RUN = 4  # this many characters in a row make a pattern


def _runs(text: str):
    """Windows of ``_RUN`` characters that repeat one character, count up or down
    (1234, dcba) or follow the keyboard (qwer, 1qaz)."""
    for i in range(len(text) - _RUN + 1):
        window = text[i : i + _RUN]
        if len(set(window)) == 1:
            yield window
            continue
        steps = {ord(b) - ord(a) for a, b in zip(window, window[1:], strict=False)}
        if len(steps) == 1 and steps & {1, -1} and (window.isdigit() or window.isalpha()):
            yield window
            continue
        if any(window in row or window in row[::-1] for row in _KEYBOARD):
            yield window


@functools.cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


class PatternValidator:
    """Refuses passwords made of a pattern: four or more characters repeated (aaaa), counting
    (1234, abcd, 4321) or following the keyboard (qwer, 1qaz), a short part repeated
    (abcabcabc), a common password with digits or symbols added (Password123!), and
    passwords holding the user name, their mobile number (or its last six
    digits) or their date of birth."""

    def validate(self, password: str, user=None) -> None:
        problems = list(self._problems((password or "").lower(), user))
        if problems:
            raise ValidationError(problems)

    def _problems(self, text: str, user):
        if any(True for _run in _runs(text)):
            yield ValidationError(
                _(
                    "Your password must not hold a run of four or more repeated, counting or "
                    "keyboard-row characters (such as 1234, aaaa or qwer)."
                ),
                code="password_pattern",
            )
        for size in range(1, len(text) // 2 + 1):
            if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
                yield ValidationError(
                    _("Your password must not be a short part repeated."),
                    code="password_repeated",
                )
                break
        letters = re.sub(r"[^a-z]", "", text)
        if len(letters) >= 5 and letters in _common_passwords():
            yield ValidationError(
                _("Your password is a common password with digits or symbols added."),
                code="password_common_base",
            )
        if user is None:
            return
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in text:
            yield ValidationError(
                _("Your password must not contain your user name."), code="password_username"
            )
        mobile = getattr(user, "mobile", "") or ""
        if len(mobile) >= 6 and mobile[-6:] in text:
            yield ValidationError(
                _("Your password must not contain your mobile number."),
                code="password_mobile",
            )
        id_number = getattr(user, "id_number", "") or ""
        if len(id_number) == 18 and id_number[6:14] in text:
            yield ValidationError(
                _("Your password must not contain your date of birth."),
                code="password_birth",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must not hold a pattern (1234, aaaa, qwer), your user name or your "
            "mobile number."
        )
