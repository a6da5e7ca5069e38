"""普法 campaigns and articles in the admin (deliveries and answers are read only)."""

from django.contrib import admin

from ..models import Article, ArticleImage, Campaign, Delivery, QuizAnswer


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "region", "starts_on", "ends_on")
    raw_id_fields = ("region", "created_by")
    search_fields = ("title",)


class ImageInline(admin.TabularInline):
    model = ArticleImage
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "campaign", "owner_path", "published_at", "send", "public")
    list_filter = ("send", "public")
    search_fields = ("title",)
    raw_id_fields = ("regions", "author", "campaign")
    filter_horizontal = ("groups",)
    inlines = [ImageInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("article", "user", "region_path", "sent_at", "read_at")
    raw_id_fields = ("article", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuizAnswer)
class QuizAnswerAdmin(admin.ModelAdmin):
    list_display = ("article", "user", "score", "total", "answered_at")
    raw_id_fields = ("article", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
