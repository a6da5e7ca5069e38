from axes.models import AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import Region

from . import duties, otp, tokens
from .admin_mixins import ActingAdminMixin, MaskedFieldsAdminMixin, ScopedAdminMixin
from .models import ApiToken, Membership, Organisation, Role, TwoFactorExemption, User

# Only the superuser (at installation) touches these: the security administrator grants
# rights through roles alone, so that no one holds a permission outside a duty (duties).
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


class NotOwnRecordMixin:
    """三员分立: no administrator changes their own account or roles."""

    def _own(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return False
        owner = obj.pk if isinstance(obj, User) else getattr(obj, "user_id", None)
        return owner == request.user.pk

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._own(request, obj)


def _region_autocomplete_available(admin_site) -> bool:
    """Regions get an autocomplete once the regions admin makes Region searchable."""
    if not admin_site.is_registered(Region):
        return False
    return bool(admin_site.get_model_admin(Region).search_fields)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("tree_name", "code", "kind", "function", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "short_name")
    list_select_related = ("parent",)
    ordering = ("path",)
    readonly_fields = ("path",)
    filter_horizontal = ("regions",)  # replaced by an autocomplete when Region is searchable
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "kind", "function", "parent", "path")}),
        (_("Service"), {"fields": ("regions", "phone", "is_active")}),
    )
    list_per_page = 100

    def get_autocomplete_fields(self, request):
        fields = ["parent"]
        if _region_autocomplete_available(self.admin_site):
            fields.append("regions")
        return fields

    @admin.display(description=_("name"), ordering="path")
    def tree_name(self, obj):
        return format_html(
            '<span style="padding-left:{}em">{}</span>', max(obj.depth - 1, 0) * 1.5, obj.name
        )


def _membership_form(base, request):
    class MembershipForm(base):
        def clean(self):
            cleaned = super().clean()
            user = cleaned.get("user") or getattr(self.instance, "user", None)
            role = cleaned.get("role")
            if user and role:
                if not request.user.is_superuser and user.pk == request.user.pk:
                    raise forms.ValidationError(_("You cannot grant a role to yourself."))
                clash = duties.conflicting_duty(user=user, role=role, exclude_pk=self.instance.pk)
                if clash:
                    raise forms.ValidationError(
                        _(
                            "The system, security and audit administrators are three different "
                            "people: this user already holds the role “%(role)s”."
                        )
                        % {"role": Role(clash).label}
                    )
            return cleaned

    return MembershipForm


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "title", "is_head")
    autocomplete_fields = ("organisation",)
    verbose_name = _("membership")
    verbose_name_plural = _("memberships")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _membership_form(formset.form, request)
        return formset


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "mobile", "id_number")


class UserChangeForm(DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(
    NotOwnRecordMixin, ActingAdminMixin, ScopedAdminMixin, MaskedFieldsAdminMixin, DjangoUserAdmin
):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = (
        "username",
        "masked_display_name",
        "masked_mobile",
        "masked_id_number",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "memberships__role")
    search_fields = ("username", "display_name", "=mobile")
    ordering = ("username",)
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal data"), {"fields": ("display_name", "mobile", "id_number", "email")}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "classes": ("collapse",),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    actions = ["reset_two_factor"]

    def get_readonly_fields(self, request, obj=None):
        fixed = tuple(super().get_readonly_fields(request, obj))
        return fixed if request.user.is_superuser else (*fixed, *SUPERUSER_ONLY_FIELDS)

    def _guarded(self, request, obj) -> bool:
        return guarded_account(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._guarded(request, obj)

    @admin.action(
        description=_("Reset two-step sign-in (the user sets up a phone again)"),
        permissions=["reset_two_factor"],
    )
    def reset_two_factor(self, request, queryset):
        done = skipped = 0
        for user in queryset:
            if self._guarded(request, user):
                skipped += 1
                continue
            otp.do_reset(actor=request.user, user=user, request=request)
            done += 1
        self.message_user(
            request,
            _("Two-step sign-in reset for %(count)d users.") % {"count": done},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                _(
                    "%(count)d administrator or superuser accounts were left as they were: "
                    "only the superuser resets them."
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def has_reset_two_factor_permission(self, request):
        return request.user.has_perm("otp_totp.delete_totpdevice")

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "display_name",
                    "mobile",
                    "id_number",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


@admin.register(Membership)
class MembershipAdmin(NotOwnRecordMixin, ActingAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "title", "is_head")
    list_filter = ("role", "is_head", "organisation__kind")
    search_fields = (
        "user__username",
        "user__display_name",
        "organisation__name",
        "organisation__code",
    )
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")

    def get_form(self, request, obj=None, **kwargs):
        return _membership_form(super().get_form(request, obj, **kwargs), request)


@admin.register(TwoFactorExemption)
class TwoFactorExemptionAdmin(ActingAdminMixin, admin.ModelAdmin):
    """Users who sign in without a second step although their role asks for one."""

    list_display = ("user", "reason", "created_at")
    search_fields = ("user__username", "reason")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens for apps and integrations. A new token is shown once, after saving."""

    list_display = (
        "name",
        "prefix",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ("prefix", "created_at", "last_used_at")
        return (*fixed, "user") if obj is not None else fixed

    def save_model(self, request, obj, form, change):
        raw = None if change else tokens.fill_new_key(obj)
        super().save_model(request, obj, form, change)
        if raw:
            tokens.record_issue(token=obj, actor=request.user, request=request)
            self.message_user(
                request,
                _("The new token, shown only this once — copy it now: %(token)s") % {"token": raw},
                messages.WARNING,
            )

    @admin.action(description=_("Revoke the chosen tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.do_revoke(token=token, actor=request.user, request=request)


class LoginRecordAdmin(admin.ModelAdmin):
    """Sign-ins and failed sign-ins are evidence: read and searched, never edited or deleted
    (no delete permission, so no bulk delete action either)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _keep_login_records():
    """django-axes registers its own admin (its app comes before ours): keep its lists and
    filters, take away editing and deleting."""
    for model in (AccessLog, AccessFailureLog):
        base = admin.ModelAdmin
        if admin.site.is_registered(model):
            base = type(admin.site.get_model_admin(model))
            admin.site.unregister(model)
        admin.site.register(model, type(f"{model.__name__}Admin", (LoginRecordAdmin, base), {}))


def guarded_account(request, user) -> bool:
    """三员分立: the superuser's and the administrators' accounts (and their phones) are the
    superuser's to change. A security administrator who could set another administrator's
    password or remove their phone could sign in as them and do their duty."""
    if user is None or request.user.is_superuser:
        return False
    return user.is_superuser or user.memberships.filter(role__in=duties.DUTY_ROLES).exists()


class DeviceGuard:
    def has_delete_permission(self, request, obj=None):
        owner = getattr(obj, "user", None)
        return super().has_delete_permission(request, obj) and not guarded_account(request, owner)

    def get_actions(self, request):
        # Deleting a list at once would skip the guard above: one device at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def _guard_devices():
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        base = admin.ModelAdmin
        if admin.site.is_registered(model):
            base = type(admin.site.get_model_admin(model))
            admin.site.unregister(model)
        admin.site.register(model, type(f"Guarded{model.__name__}Admin", (DeviceGuard, base), {}))


_keep_login_records()
_guard_devices()
