from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gongzhi.core import audit

from .models import Open311Client, Open311Request, Open311Update


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Issuing a key: save a new client (or pick “Issue a new key”), and the key is shown
    once in the message at the top; only its hash is kept."""

    list_display = ("name", "key_prefix", "is_active", "may_post_updates", "rate", "last_used_at")
    list_filter = ("is_active", "may_post_updates")
    search_fields = ("name", "contact", "key_prefix")
    filter_horizontal = ("jurisdictions",)
    autocomplete_fields = ("update_user",)
    readonly_fields = ("key_prefix", "last_used_at", "created_at", "updated_at")
    actions = ("issue_new_key",)
    fieldsets = (
        (None, {"fields": ("name", "contact", "is_active", "key_prefix", "last_used_at")}),
        (_("What it may do"), {"fields": ("jurisdictions", "rate", "answer_with_token")}),
        (_("Updates"), {"fields": ("may_post_updates", "update_user")}),
    )

    def save_model(self, request, obj, form, change):
        key = obj.issue_key() if not obj.key_hash else None
        super().save_model(request, obj, form, change)
        if key:
            audit.record(actor=request.user, action="key_issue", obj=obj, request=request)
            self._show_key(request, obj, key)

    def _show_key(self, request, obj, key):
        messages.warning(
            request,
            _("The API key of “%(name)s” is %(key)s — copy it now: it is not shown again.")
            % {"name": obj.name, "key": key},
        )

    @admin.action(description=_("Issue a new key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for client in queryset:
            key = client.issue_key()
            client.save(update_fields=["key_prefix", "key_hash", "updated_at"])
            audit.record(actor=request.user, action="key_issue", obj=client, request=request)
            self._show_key(request, client, key)


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ("case", "client", "device_id", "created_at")
    list_filter = ("client",)
    search_fields = ("case__number", "token", "device_id")
    raw_id_fields = ("case",)
    readonly_fields = (
        "case",
        "client",
        "token",
        "device_id",
        "account_id",
        "media_url",
        "created_at",
    )

    def has_add_permission(self, request):
        return False


@admin.register(Open311Update)
class Open311UpdateAdmin(admin.ModelAdmin):
    list_display = ("update_id", "client", "event", "created_at")
    list_filter = ("client",)
    search_fields = ("update_id",)
    readonly_fields = ("client", "update_id", "event", "created_at")

    def has_add_permission(self, request):
        return False
