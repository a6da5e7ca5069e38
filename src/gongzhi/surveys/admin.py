"""Surveys in the admin: the questionnaires, questions and answer scales (reference rows
administrators edit), and the waves, sample members and responses to look at. Members and
responses change only through ``services`` (the calling form and the link); here they are
read-only, scoped like the pages, with the phone masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.admin_mixins import ScopedAdminMixin

from .models import (
    Answer,
    Question,
    Questionnaire,
    Response,
    SampleMember,
    Scale,
    ScaleOption,
    Wave,
)


class ScaleOptionInline(admin.TabularInline):
    model = ScaleOption
    extra = 0
    fields = ("order", "label", "score", "positive", "colour")


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "enabled")
    list_editable = ("order", "enabled")
    search_fields = ("code", "name")
    inlines = [ScaleOptionInline]


@admin.register(ScaleOption)
class ScaleOptionAdmin(admin.ModelAdmin):
    list_display = ("label", "scale", "order", "score", "positive")
    list_filter = ("scale",)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("order", "text", "scale", "measure", "enabled")


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "order", "enabled")
    list_editable = ("order", "enabled")
    list_filter = ("kind", "enabled")
    search_fields = ("code", "name")
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "questionnaire", "order", "measure", "scale", "enabled")
    list_filter = ("questionnaire", "measure", "enabled")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Wave)
class WaveAdmin(ScopedAdminMixin, ReadOnly):
    list_display = ("name", "region", "start", "end", "state", "allocation", "per_township")
    list_filter = ("state",)
    search_fields = ("name",)


@admin.register(SampleMember)
class SampleMemberAdmin(ScopedAdminMixin, ReadOnly):
    list_display = ("masked", "wave", "region", "source", "state", "attempts", "operator")
    list_filter = ("state", "source")
    exclude = ("phone", "resident")
    raw_id_fields = ("operator",)

    @admin.display(description=_("phone"))
    def masked(self, member):
        return member.masked_phone


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("question", "option", "score", "positive")
    readonly_fields = fields
    can_delete = False


@admin.register(Response)
class ResponseAdmin(ReadOnly):
    list_display = ("__str__", "wave", "region", "channel", "created_at")
    list_filter = ("channel",)
    exclude = ("member",)
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(ReadOnly):
    list_display = ("response", "question", "option", "score", "positive")
