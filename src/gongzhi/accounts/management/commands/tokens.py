"""`gongzhi tokens issue|list|revoke`: API tokens for apps and integrations.

gongzhi tokens issue --user hotline-bridge --name "12345 bridge" [--days 365]
gongzhi tokens list [--user U]
gongzhi tokens revoke ID
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import tokens
from gongzhi.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = _("API tokens: issue one for a user (shown once), list them, revoke one.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        issue = sub.add_parser("issue", help=_("Issue a token acting as a user."))
        issue.add_argument("--user", required=True, help=_("The user name the token acts as."))
        issue.add_argument("--name", required=True, help=_("What the token is for."))
        issue.add_argument(
            "--days", type=int, default=0, help=_("Expire after this many days (0: never).")
        )
        listing = sub.add_parser("list", help=_("List the tokens (never the tokens themselves)."))
        listing.add_argument("--user", help=_("Only the tokens of this user."))
        revoke = sub.add_parser("revoke", help=_("Revoke a token by its id."))
        revoke.add_argument("id", type=int)

    def handle(self, *args, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _issue(self, *, user, name, days, **_options):
        person = User.objects.filter(username=user).first()
        if person is None:
            raise CommandError(_("There is no user “%(name)s”.") % {"name": user})
        if not person.is_active:
            raise CommandError(_("The user “%(name)s” is not active.") % {"name": user})
        if days < 0:
            raise CommandError(_("--days cannot be negative."))
        expires = timezone.now() + timedelta(days=days) if days else None
        token, raw = tokens.do_issue(user=person, name=name, expires_at=expires)
        self.stderr.write(
            _("Token %(id)s for %(user)s issued. Keep it now: it is not shown again.")
            % {"id": token.pk, "user": person.username}
        )
        self.stdout.write(raw)

    def _list(self, *, user=None, **_options):
        rows = ApiToken.objects.select_related("user").order_by("id")
        if user:
            rows = rows.filter(user__username=user)
        for t in rows:
            state = "revoked" if t.revoked_at else "active"
            if state == "active" and t.expires_at and t.expires_at <= timezone.now():
                state = "expired"
            self.stdout.write(
                "\t".join(
                    [
                        str(t.pk),
                        t.prefix + "…",
                        t.user.username,
                        t.name,
                        state,
                        _when(t.created_at),
                        _when(t.last_used_at),
                        _when(t.expires_at),
                    ]
                )
            )

    def _revoke(self, *, id, **_options):
        token = ApiToken.objects.filter(pk=id).first()
        if token is None:
            raise CommandError(_("There is no token %(id)s.") % {"id": id})
        tokens.do_revoke(token=token)
        self.stdout.write(_("Token %(id)s revoked.") % {"id": id})


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"
