"""The topics room's admin pages: topics read-mostly (their state moves only through the
workflow), the threshold rules, and comments (hidden ones keep their words)."""

from django.contrib import admin

from ..models import Comment, Topic, TopicEvent, TopicRule


class EventInline(admin.TabularInline):
    model = TopicEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "title",
        "region",
        "state",
        "households_count",
        "threshold",
        "answer_due",
    )
    list_filter = ("state",)
    search_fields = ("number", "title")
    list_select_related = ("region",)
    inlines = [EventInline]
    readonly_fields = [
        f.name for f in Topic._meta.concrete_fields if f.name not in ("title", "body", "place")
    ]

    def has_add_permission(self, request):
        return False


@admin.register(TopicRule)
class TopicRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "region",
        "households",
        "percent",
        "answer_days",
        "one_per_household",
        "enabled",
    )
    list_filter = ("enabled", "one_per_household")
    autocomplete_fields = ("region",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("topic", "author", "created_at", "hidden_at", "hidden_reason")
    list_filter = ("hidden_at",)
    search_fields = ("body", "topic__number")
    raw_id_fields = ("topic", "parent", "author", "hidden_by")
    readonly_fields = (
        "topic",
        "parent",
        "author",
        "body",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    )

    def has_add_permission(self, request):
        return False
