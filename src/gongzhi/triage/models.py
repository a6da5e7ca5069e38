"""Triage's own tables: trained model versions, training labels and the policy row.

Triage sits below ``cases``: nothing here points at a case by foreign key. A training label
keeps the case's number as plain text, so labels survive a case being archived.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel


class TriageModel(TimeStampedModel):
    """One trained classifier: a joblib file under the var dir plus what it was trained on."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    file = models.CharField(_("file"), max_length=255, help_text=_("Relative to the model dir."))
    source = models.CharField(_("training data"), max_length=200)
    data_sha256 = models.CharField(_("data checksum"), max_length=64)
    n_train = models.PositiveIntegerField(_("training reports"))
    label_counts = models.JSONField(_("reports per label"), default=dict)
    metrics = models.JSONField(_("metrics"), default=dict)
    train_seconds = models.FloatField(_("training seconds"))
    is_active = models.BooleanField(_("active"), default=False, db_index=True)

    class Meta:
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_triage_model",
            ),
        ]

    def __str__(self) -> str:
        return self.version


class TrainingLabel(TimeStampedModel):
    """A dispatcher's final category for a report: the ground truth the next model learns."""

    case_ref = models.CharField(_("case number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    label = models.CharField(
        _("label"),
        max_length=255,
        help_text=_("Category codes from the first level down, “/”-separated."),
    )
    predicted = models.CharField(_("predicted label"), max_length=255, blank=True)
    confidence = models.FloatField(_("predicted confidence"), null=True, blank=True)
    model_version = models.CharField(_("model version"), max_length=40, blank=True)
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("labelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("training label")
        verbose_name_plural = _("training labels")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_ref}: {self.label}"


class Retrain(models.TextChoices):
    OFF = "off", _("Never (by hand only)")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


RETRAIN_DAYS = {Retrain.DAILY: 1, Retrain.WEEKLY: 7}


class TriagePolicy(TimeStampedModel):
    """The knobs a dispatcher's supervisor turns; the first enabled row is in force.

    The policy states the share of reports routed automatically (``coverage_target``); the
    confidence threshold that routes that share is measured on held-out folds when a model
    is trained and kept with the model (``TriageModel.metrics["coverage_curve"]``).
    ``confidence_threshold`` is used only for a model without that measurement."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    coverage_target = models.FloatField(
        _("share routed automatically"),
        default=0.85,
        validators=[MinValueValidator(0.5), MaxValueValidator(1.0)],
        help_text=_(
            "The most confident share of reports whose category is taken without a "
            "dispatcher (0.85 = 85 %); the rest waits in the triage queue with suggestions."
        ),
    )
    confidence_threshold = models.FloatField(
        _("fallback confidence threshold"),
        default=0.6,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "Used only for a model trained without held-out folds: below this confidence "
            "a report waits in the triage queue."
        ),
    )
    duplicate_min_score = models.FloatField(
        _("duplicate score to offer a merge"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    retrain = models.CharField(
        _("retrain from dispatchers' decisions"),
        max_length=10,
        choices=Retrain.choices,
        default=Retrain.WEEKLY,
        help_text=_(
            "A new model is trained on the confirmed categories and activated only if it "
            "is not worse than the active one on the same held-out reports."
        ),
    )
    retrain_min_decisions = models.PositiveIntegerField(
        _("new decisions needed to retrain"), default=20
    )
    last_retrain_at = models.DateTimeField(_("last retraining"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("triage policy")
        verbose_name_plural = _("triage policies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    AUTO = "auto", _("Accepted as predicted")
    PENDING = "pending", _("Waiting for a dispatcher")
    CONFIRMED = "confirmed", _("Confirmed by a dispatcher")


class Assessment(TimeStampedModel):
    """What triage made of one report at intake, and what the dispatcher decided.

    Keyed by the case number (plain text: triage sits below cases), one row per case.
    """

    case_ref = models.CharField(_("case number"), max_length=40, unique=True)
    model_version = models.CharField(_("model version"), max_length=40, blank=True)
    predicted = models.CharField(_("predicted label"), max_length=255, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    predictions = models.JSONField(_("ranked predictions"), default=list)
    chosen = models.CharField(_("category chosen at intake"), max_length=255, blank=True)
    reason = models.CharField(_("reason for review"), max_length=40, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.AUTO,
        db_index=True,
    )
    decided = models.CharField(_("final label"), max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("triage assessment")
        verbose_name_plural = _("triage assessments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_ref}: {self.predicted} ({self.status})"


class VerdictSource(models.TextChoices):
    OFFER = "offer", _("Merge offer (possible duplicates)")
    CASE = "case", _("Merge on the case page")
    HINT = "hint", _("“Me too” on the intake hint")


class MergeOffer(TimeStampedModel):
    """A verdict on one pair of reports: "merge ``case_ref`` into ``other_ref``" accepted
    (merged) or rejected ("not the same problem"). The latest verdict on a pair wins. Made
    where the decision is taken (``source``): a dispatcher's answer to a merge offer, a merge
    on the case page (or through the API), a reporter's "me too" on the intake hint (then
    ``case_ref`` names the support, ``S<number>``: the words were never a case). Both
    reports' words and the pair's features are kept, so the pairs are labelled data for the
    duplicate scorer's calibration (``gongzhi triage calibrate``, ``export --kind merges``)."""

    case_ref = models.CharField(_("case number"), max_length=40)
    other_ref = models.CharField(_("offered case number"), max_length=40)
    accepted = models.BooleanField(_("merged"))
    source = models.CharField(
        _("where decided"),
        max_length=8,
        choices=VerdictSource.choices,
        default=VerdictSource.OFFER,
    )
    score = models.FloatField(_("chance of a repeat"), null=True, blank=True)
    why = models.JSONField(_("reasons shown"), default=dict, blank=True)
    features = models.JSONField(
        _("features of the pair"),
        default=dict,
        blank=True,
        help_text=_("What the duplicate scorer read (its calibration is refitted from them)."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    other_title = models.CharField(_("offered case's title"), max_length=200, blank=True)
    other_text = models.TextField(_("offered case's text"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("merge offer decision")
        verbose_name_plural = _("merge offer decisions")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["case_ref", "other_ref"], name="one_verdict_a_pair")
        ]
        indexes = [models.Index(fields=["updated_at"], name="mergeoffer_updated")]

    def __str__(self) -> str:
        return f"{self.case_ref} → {self.other_ref}: {'merged' if self.accepted else 'rejected'}"


class DuplicateCalibration(TimeStampedModel):
    """The duplicate scorer's calibration in force: the chance of a repeat is
    ``1 / (1 + exp(-(slope · z + intercept)))``, ``z`` the shipped model's log-odds.

    Refitted from the recorded verdicts (``MergeOffer``) by ``gongzhi triage calibrate`` (and
    ``train``); a refit is kept only if it predicts the verdicts it did not see better than
    the calibration before it. Without an active row the shipped calibration holds
    (slope 1, intercept 0)."""

    slope = models.FloatField(_("slope"))
    intercept = models.FloatField(_("intercept"))
    n_verdicts = models.PositiveIntegerField(_("verdicts fitted on"))
    n_merged = models.PositiveIntegerField(_("of which merged"))
    metrics = models.JSONField(_("metrics"), default=dict)
    is_active = models.BooleanField(_("active"), default=False, db_index=True)

    class Meta:
        verbose_name = _("duplicate calibration")
        verbose_name_plural = _("duplicate calibrations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_duplicate_calibration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slope:.3f}·z {self.intercept:+.3f} ({self.n_verdicts})"
