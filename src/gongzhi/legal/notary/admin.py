"""The notary room in the admin: matters (questionnaire, documents and fee as JSON, checked
by the guide on save), offices, slots and bookings (read-mostly: the booked count is kept by
the services, never typed)."""

from django.contrib import admin

from ..models import NotaryBooking, NotaryMatter, NotaryOffice, NotarySlot


@admin.register(NotaryMatter)
class NotaryMatterAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "summary", "enabled", "order")
    list_editable = ("enabled", "order")
    search_fields = ("name", "code")
    fields = (
        "code",
        "name",
        "summary",
        "enabled",
        "order",
        "colour",
        "questions",
        "documents",
        "fee",
    )


@admin.register(NotaryOffice)
class NotaryOfficeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "address", "phone", "hours", "enabled")
    list_filter = ("enabled",)
    search_fields = ("organisation__name", "organisation__code", "address")
    autocomplete_fields = ("organisation",)


@admin.register(NotarySlot)
class NotarySlotAdmin(admin.ModelAdmin):
    list_display = ("office", "starts_at", "ends_at", "capacity", "booked")
    list_filter = ("office",)
    date_hierarchy = "starts_at"
    readonly_fields = ("booked",)


@admin.register(NotaryBooking)
class NotaryBookingAdmin(admin.ModelAdmin):
    list_display = ("number", "matter", "office", "slot", "status", "created_at")
    list_filter = ("status", "office", "matter")
    search_fields = ("number",)
    raw_id_fields = ("slot", "resident")
    readonly_fields = ("number", "answers", "documents", "fee", "fee_lines", "closed_at")

    def has_add_permission(self, request):
        return False  # a booking is made through the guide (it takes a place in the slot)
