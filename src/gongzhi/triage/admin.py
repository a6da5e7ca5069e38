from django.contrib import admin

from .models import (
    Assessment,
    DuplicateCalibration,
    MergeOffer,
    TrainingLabel,
    TriageModel,
    TriagePolicy,
)


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):
    list_display = ["version", "is_active", "source", "n_train", "train_seconds", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = [
        "version",
        "file",
        "source",
        "data_sha256",
        "n_train",
        "label_counts",
        "metrics",
        "train_seconds",
    ]

    def has_add_permission(self, request):
        return False  # models come from `gongzhi triage train`


@admin.register(TrainingLabel)
class TrainingLabelAdmin(admin.ModelAdmin):
    list_display = ["case_ref", "label", "predicted", "confidence", "labelled_by", "created_at"]
    search_fields = ["case_ref", "title", "label"]
    list_select_related = ["labelled_by"]
    raw_id_fields = ["labelled_by"]


@admin.register(TriagePolicy)
class TriagePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "coverage_target",
        "confidence_threshold",
        "duplicate_min_score",
        "retrain",
        "last_retrain_at",
        "enabled",
    ]
    readonly_fields = ["last_retrain_at"]


@admin.register(MergeOffer)
class MergeOfferAdmin(admin.ModelAdmin):
    list_display = [
        "case_ref", "other_ref", "accepted", "source", "score", "decided_by", "updated_at",
    ]  # fmt: skip
    list_filter = ["accepted", "source"]
    search_fields = ["case_ref", "other_ref", "title", "other_title"]
    list_select_related = ["decided_by"]
    raw_id_fields = ["decided_by"]


@admin.register(DuplicateCalibration)
class DuplicateCalibrationAdmin(admin.ModelAdmin):
    """Made by ``gongzhi triage calibrate``; read-only here (activated only when better)."""

    list_display = ["created_at", "slope", "intercept", "n_verdicts", "n_merged", "is_active"]
    readonly_fields = ["slope", "intercept", "n_verdicts", "n_merged", "metrics", "is_active"]

    def has_add_permission(self, request):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "case_ref",
        "status",
        "predicted",
        "confidence",
        "chosen",
        "reason",
        "created_at",
    ]
    list_filter = ["status", "reason"]
    search_fields = ["case_ref", "predicted", "chosen", "decided"]
    list_select_related = ["decided_by"]
    raw_id_fields = ["decided_by"]
    readonly_fields = ["predictions"]
