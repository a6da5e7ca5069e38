"""撤销 by a reporter who has no account: a hotline caller, an anonymous 随手拍 report, a
report through Open311. They withdraw from the public tracking page, with proof that they
are the one who reported: the tracking link's secret (``Case.tracking_token``, only ever
given to the reporter) and, when the case keeps the reporter's phone, its last four digits.
An anonymous report keeps no phone: its link is the only proof there is.

The withdrawal is the same step as a reporter's with an account (``withdraw`` in the
workflow table, final state ``withdrawn``), taken by the platform on the caller's behalf
once the proof is checked here. A reporter with an account withdraws signed in, as before.
"""

from __future__ import annotations

import hmac

from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.cases.workflow import services as transitions
from gongzhi.cases.workflow import table as workflow
from gongzhi.core import audit, ratelimit
from gongzhi.core.errors import NotAllowed, ServiceError

# Guesses at the last four digits are counted per case: 10,000 possible answers against
# five tries an hour. A caller who is refused may still call the hotline.
PROOF_RATE = "5/h"
PROOF_SCOPE = "caller_withdraw"

# How the reporter proves it is theirs (None: they may not withdraw here).
BY_ACCOUNT = "account"  # signed in with the account they reported with
BY_PHONE = "phone"  # the link, and the last four digits of the phone they reported with
BY_LINK = "link"  # the link alone: an anonymous report, which keeps no phone


def token_matches(case: Case, token: str) -> bool:
    return bool(token) and hmac.compare_digest(
        case.tracking_token.encode(), (token or "").encode("utf-8", "replace")
    )


def proof_needed(case: Case) -> str:
    """How a reporter proves a withdrawal of this case is theirs."""
    if case.reporter_id is not None:
        return BY_ACCOUNT
    return BY_PHONE if case.reporter_phone else BY_LINK


def may_withdraw(case: Case) -> bool:
    """The case is still one its reporter may take back (the workflow table's states)."""
    return case.state in workflow.RULES["withdraw"].sources


def check_caller_withdraw(*, case: Case, token: str, phone_last4: str = "") -> None:
    """Refuse, changing nothing, unless the proof is right: the tracking link's token, and
    the last four digits of the phone the case was reported with when it keeps one."""
    if not token_matches(case, token):
        raise NotAllowed("bad_token", _("This link does not allow withdrawing the report."))
    how = proof_needed(case)
    if how == BY_ACCOUNT:
        raise NotAllowed(
            "login_required",
            _("Log in with the account you reported with to withdraw the report."),
        )
    if not may_withdraw(case):
        raise ServiceError(
            "not_allowed_in_state",
            _("This report can no longer be withdrawn: it is %(state)s.")
            % {"state": case.get_state_display()},
        )
    if how == BY_PHONE:
        digits = "".join(ch for ch in (phone_last4 or "") if ch.isdigit())
        if len(digits) != 4:
            raise ServiceError(
                "required",
                _("Enter the last four digits of the phone number you reported with."),
                "phone_last4",
            )
        ratelimit.check(PROOF_SCOPE, f"case:{case.pk}", PROOF_RATE)
        if not hmac.compare_digest(digits.encode(), case.reporter_phone[-4:].encode()):
            raise ServiceError(
                "wrong_phone_digits",
                _(
                    "These are not the last four digits of the phone number the report was made with."
                ),
                "phone_last4",
            )


def do_caller_withdraw(
    *, case: Case, token: str, phone_last4: str = "", reason: str = "", request=None
) -> Case:
    """Withdraw the case for a reporter without an account, once the proof is checked: the
    workflow's own ``withdraw`` step (a reason is required), as the platform on their
    behalf. ``RateLimited`` when the digits were guessed at too often. Audited."""
    check_caller_withdraw(case=case, token=token, phone_last4=phone_last4)
    case = transitions.do_transition(
        case=case,
        action="withdraw",
        actor=None,
        data={"reason": reason},
        expected_state=case.state,
    )
    audit.record(
        actor=None,
        action="caller_withdraw",
        obj=case,
        reason=f"withdrawn without an account, proof: {proof_needed(case)}",
        request=request,
    )
    return case
