"""The quorum and the decision of a meeting by its rule row (村民委员会组织法 arts. 22 and 26,
城市居民委员会组织法 art. 10): pure arithmetic on whole numbers, so "more than half" and
"at least two thirds" are exact at every boundary."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..choices import QuorumBasis


def threshold(total: int, num: int, den: int, *, strict: bool) -> int:
    """The fewest people that make "more than" (strict) or "at least" num/den of total."""
    if den <= 0 or num <= 0:
        return 0
    if strict:  # n·den > num·total
        return num * total // den + 1
    return -(-num * total // den)  # n·den ≥ num·total


def _part(basis: str, num, den, strict: bool, counts, present) -> tuple[bool, int, str]:
    needed = threshold(counts.of(basis), num, den, strict=strict)
    have = present.of(basis)
    label = QuorumBasis(basis).label
    note = _("%(basis)s: %(have)d present of %(total)d, %(needed)d needed") % {
        "basis": label,
        "have": have,
        "total": counts.of(basis),
        "needed": needed,
    }
    return have >= needed, needed, note


def quorum(rule, counts, present) -> tuple[bool, int, str]:
    """Whether the meeting may decide: ``counts`` is the register as the session opened,
    ``present`` the same figures among those signed in (both ``members.Counts``). Returns
    (quorate, needed on the main basis, a note with the figures). A rule with an
    alternative basis (a 村民会议: two thirds of the households) is met by either."""
    if rule.basis == QuorumBasis.NONE:
        return True, 0, _("No quorum is required.")
    ok, needed, note = _part(
        rule.basis, rule.quorum_num, rule.quorum_den, rule.quorum_strict, counts, present
    )
    if rule.alt_basis and rule.alt_basis != QuorumBasis.NONE and rule.alt_num and rule.alt_den:
        alt_ok, _alt_needed, alt_note = _part(
            rule.alt_basis, rule.alt_num, rule.alt_den, rule.alt_strict, counts, present
        )
        ok = ok or alt_ok
        note = f"{note}; {_('or')} {alt_note}"
    return ok, needed, note


def passes(rule, votes_for: int, present: int) -> bool:
    """Whether ``votes_for`` carries the item among ``present`` (those at the meeting, not
    those who voted: an abstention counts against, as the law's 到会人员的过半数 says)."""
    if present <= 0:
        return False
    return votes_for >= threshold(
        present, rule.decision_num, rule.decision_den, strict=rule.decision_strict
    )
