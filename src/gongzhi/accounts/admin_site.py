"""The admin site: the door is open to the superuser, to ``is_staff`` accounts and to the
three administrators of 三员分立 (``accounts.duties``), who need no ``is_staff`` flag: a role
granted or taken away in a membership opens or closes it. What each may do inside is their
duty's permissions, nothing more."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        from .duties import duties_of

        user = request.user
        if not user.is_active:
            return False
        return user.is_staff or bool(duties_of(user))


class AdminConfig(DjangoAdminConfig):
    default_site = "gongzhi.accounts.admin_site.AdminSite"
