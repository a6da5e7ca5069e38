"""What the notify app does when lower apps signal something people must hear of."""

from django.utils.translation import gettext as _

from .services import notify


def alert_bulk_reveal(sender, *, viewer, rate, kind, **kwargs):
    """Tell the security administrators that a reveal spree was stopped."""
    from gongzhi.accounts.services import security_administrators

    notify(
        recipients=security_administrators(),
        kind=kind,
        title=_("Bulk reveal of personal data stopped: %(user)s") % {"user": viewer.username},
        body=_(
            "%(user)s asked to see personal data more often than the limit of %(rate)s; "
            "further reveals are refused until the period ends. Check the audit log."
        )
        % {"user": viewer.username, "rate": rate},
        data={"user": viewer.pk, "rate": rate},
    )
