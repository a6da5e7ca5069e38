"""Legal aid: applications, documents, progress, timeline; matter types (art. 31), exemption
rules (arts. 32 and 42) and income standards, with the law's rows seeded."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MATTER_TYPES = [
    # code, name, article
    ("state_compensation", "国家赔偿", "31(1)"),
    ("social_insurance", "社会保险待遇", "31(2)"),
    ("minimum_living", "最低生活保障待遇", "31(3)"),
    ("social_assistance", "社会救助", "31(3)"),
    ("survivor_pension", "抚恤金", "31(4)"),
    ("maintenance", "赡养费、抚养费、扶养费", "31(5)"),
    ("labour_relation", "确认劳动关系", "31(6)"),
    ("wages", "劳动报酬", "31(6)"),
    ("work_injury", "工伤事故赔偿", "31(7)"),
    ("traffic_accident", "交通事故赔偿", "31(7)"),
    ("medical_accident", "医疗事故赔偿", "31(7)"),
    ("food_drug", "食品药品安全事故赔偿", "31(7)"),
    ("environment", "环境污染、生态破坏损害赔偿", "31(8)"),
    ("good_samaritan", "见义勇为权益", "31(9)"),
    ("other", "其他", "31(10)"),
]

EXEMPTION_RULES = [
    # code, name, article, flags, matter types, min age, max age, reason
    (
        "hero_kin",
        "英雄烈士近亲属",
        "32",
        ["hero_kin"],
        [],
        None,
        None,
        "英雄烈士近亲属为维护英雄烈士的人格权益",
    ),
    (
        "good_samaritan",
        "见义勇为",
        "32",
        [],
        ["good_samaritan"],
        None,
        None,
        "因见义勇为行为主张相关民事权益",
    ),
    (
        "retrial_acquitted",
        "再审改判无罪",
        "32",
        ["retrial_acquitted"],
        ["state_compensation"],
        None,
        None,
        "再审改判无罪请求国家赔偿",
    ),
    (
        "abuse_victim",
        "虐待遗弃家暴受害人",
        "32",
        ["abuse_victim"],
        [],
        None,
        None,
        "遭受虐待、遗弃或者家庭暴力的受害人主张相关权益",
    ),
    (
        "minor_no_income",
        "无固定生活来源的未成年人",
        "42",
        ["no_fixed_income"],
        [],
        None,
        17,
        "无固定生活来源的未成年人",
    ),
    (
        "elderly_no_income",
        "无固定生活来源的老年人",
        "42",
        ["no_fixed_income"],
        [],
        60,
        None,
        "无固定生活来源的老年人",
    ),
    (
        "disabled_no_income",
        "无固定生活来源的残疾人",
        "42",
        ["no_fixed_income", "disabled"],
        [],
        None,
        None,
        "无固定生活来源的残疾人",
    ),
    (
        "social_assistance",
        "社会救助、司法救助或优抚对象",
        "42",
        ["social_assistance"],
        [],
        None,
        None,
        "社会救助、司法救助或者优抚对象",
    ),
    (
        "migrant_worker",
        "进城务工人员讨薪或工伤赔偿",
        "42",
        ["migrant_worker"],
        ["wages", "work_injury"],
        None,
        None,
        "申请支付劳动报酬或者请求工伤事故人身损害赔偿的进城务工人员",
    ),
]


def seed(apps, schema_editor):
    MatterType = apps.get_model("legal", "AidMatterType")
    Rule = apps.get_model("legal", "ExemptionRule")
    types = {}
    for order, (code, name, article) in enumerate(MATTER_TYPES, start=1):
        types[code], _ = MatterType.objects.get_or_create(
            code=code, defaults={"name": name, "article": article, "order": order * 10}
        )
    for order, (code, name, article, flags, kinds, lo, hi, reason) in enumerate(
        EXEMPTION_RULES, start=1
    ):
        rule, made = Rule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "article": article,
                "flags": flags,
                "min_age": lo,
                "max_age": hi,
                "reason": reason,
                "order": order * 10,
            },
        )
        if made and kinds:
            rule.matter_types.set([types[k] for k in kinds])


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0001_points"),
        ("mediation", "0009_source_visit"),
        ("regions", "0002_bbox_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AidMatterType",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                (
                    "colour",
                    models.CharField(default="#6b7280", max_length=9, verbose_name="colour"),
                ),
                (
                    "article",
                    models.CharField(
                        blank=True, default="31", max_length=20, verbose_name="article"
                    ),
                ),
            ],
            options={
                "verbose_name": "legal-aid matter type",
                "verbose_name_plural": "legal-aid matter types",
                "ordering": ["order", "code"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="AidNumberSequence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(unique=True)),
                ("last", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="Application",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("number", models.CharField(max_length=16, unique=True, verbose_name="number")),
                ("name", models.CharField(max_length=100, verbose_name="applicant's name")),
                ("id_number", models.CharField(max_length=18, verbose_name="ID number")),
                ("phone", models.CharField(blank=True, max_length=20, verbose_name="phone")),
                ("address", models.CharField(blank=True, max_length=200, verbose_name="address")),
                ("summary", models.TextField(verbose_name="the matter")),
                (
                    "opposing_party",
                    models.CharField(blank=True, max_length=200, verbose_name="opposing party"),
                ),
                (
                    "region_path",
                    models.CharField(db_index=True, max_length=255, verbose_name="region path"),
                ),
                (
                    "matter_deadline",
                    models.DateField(
                        blank=True, null=True, verbose_name="deadline the matter faces"
                    ),
                ),
                (
                    "matter_deadline_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("limitation", "Limitation period ends"),
                            ("hearing", "Hearing date"),
                            ("other", "Other deadline"),
                        ],
                        max_length=12,
                        verbose_name="kind of deadline",
                    ),
                ),
                (
                    "household_size",
                    models.PositiveSmallIntegerField(default=1, verbose_name="household members"),
                ),
                (
                    "monthly_income_per_head",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=10,
                        null=True,
                        verbose_name="monthly income per head (yuan)",
                    ),
                ),
                (
                    "pledge",
                    models.BooleanField(default=False, verbose_name="integrity pledge given"),
                ),
                (
                    "flags",
                    models.JSONField(blank=True, default=list, verbose_name="circumstances ticked"),
                ),
                (
                    "exemptions",
                    models.JSONField(
                        blank=True, default=list, verbose_name="exemption rules that apply"
                    ),
                ),
                (
                    "hardship",
                    models.CharField(
                        choices=[
                            ("exempt", "Not examined (exempt)"),
                            ("meets", "Within the county's standard"),
                            ("exceeds", "Above the county's standard"),
                            ("unknown", "No standard for the county"),
                        ],
                        default="unknown",
                        max_length=8,
                        verbose_name="hardship check",
                    ),
                ),
                (
                    "income_standard",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=10,
                        null=True,
                        verbose_name="county standard at the check",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("submitted", "Submitted"),
                            ("awaiting_documents", "Awaiting documents"),
                            ("under_review", "Under review"),
                            ("granted", "Aid granted"),
                            ("refused", "Refused"),
                            ("objected", "Objection lodged"),
                            ("assigned", "Lawyer assigned"),
                            ("terminated", "Aid terminated"),
                            ("concluded", "Concluded"),
                            ("closed", "Closed"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        db_index=True,
                        default="submitted",
                        max_length=20,
                        verbose_name="state",
                    ),
                ),
                ("received_at", models.DateTimeField(verbose_name="received at")),
                (
                    "missing_items",
                    models.JSONField(blank=True, default=list, verbose_name="missing documents"),
                ),
                (
                    "documents_requested_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="documents requested at"
                    ),
                ),
                (
                    "documents_supplied_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="documents supplied at"
                    ),
                ),
                (
                    "supplement_due",
                    models.DateTimeField(blank=True, null=True, verbose_name="documents due"),
                ),
                (
                    "paused_working_days",
                    models.PositiveSmallIntegerField(default=0, verbose_name="working days paused"),
                ),
                ("urgent", models.BooleanField(default=False, verbose_name="urgent")),
                (
                    "urgent_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="why urgent"),
                ),
                (
                    "advance",
                    models.BooleanField(default=False, verbose_name="aid given first (art. 44)"),
                ),
                (
                    "advance_review",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("pending", "Review pending"),
                            ("confirmed", "Review confirmed the aid"),
                            ("revoked", "Review revoked the aid"),
                        ],
                        max_length=10,
                        verbose_name="review after aid given first",
                    ),
                ),
                (
                    "decision_due",
                    models.DateTimeField(
                        blank=True, db_index=True, null=True, verbose_name="decision due"
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("refusal_reason", models.TextField(blank=True, verbose_name="reason for refusal")),
                (
                    "objection_window_ends",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="objection possible until"
                    ),
                ),
                (
                    "objected_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="objection lodged at"),
                ),
                ("objection_reason", models.TextField(blank=True, verbose_name="objection")),
                (
                    "objection_due",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="objection decision due"
                    ),
                ),
                (
                    "objection_decided_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="objection decided at"
                    ),
                ),
                (
                    "objection_decision",
                    models.TextField(blank=True, verbose_name="objection decision"),
                ),
                (
                    "assign_due",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="lawyer to be assigned by"
                    ),
                ),
                (
                    "assigned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="assigned at"),
                ),
                (
                    "termination",
                    models.CharField(
                        blank=True,
                        choices=[
                            (
                                "no_longer_eligible",
                                "The aided person no longer meets the conditions",
                            ),
                            ("proceedings_ended", "The case was terminated or its hearing ended"),
                            ("own_lawyer", "The aided person instructed another lawyer"),
                            ("asked_to_end", "The aided person asked to end the aid"),
                            ("false_information", "Aid was obtained by false information"),
                            ("abuse", "The aided person used aid for an unlawful purpose"),
                            ("other", "Another reason the law provides"),
                        ],
                        max_length=20,
                        verbose_name="why aid ended",
                    ),
                ),
                ("outcome", models.TextField(blank=True, verbose_name="outcome")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended at")),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                (
                    "rating",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="rating"),
                ),
                ("rating_comment", models.TextField(blank=True, verbose_name="rating comment")),
                ("rated_at", models.DateTimeField(blank=True, null=True, verbose_name="rated at")),
                (
                    "warned",
                    models.JSONField(
                        blank=True, default=list, editable=False, verbose_name="warnings sent"
                    ),
                ),
                (
                    "escalated",
                    models.JSONField(
                        blank=True,
                        default=list,
                        editable=False,
                        verbose_name="overdue notices sent",
                    ),
                ),
                (
                    "overdue",
                    models.BooleanField(db_index=True, default=False, verbose_name="overdue"),
                ),
                (
                    "applicant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="aid_applications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="applicant's account",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "dispute",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="aid_applications",
                        to="mediation.dispute",
                        verbose_name="follows the dispute",
                    ),
                ),
                (
                    "entered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="entered_aid_applications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
                    ),
                ),
                (
                    "lawyer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="aid_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="lawyer",
                    ),
                ),
                (
                    "matter_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="legal.aidmattertype",
                        verbose_name="matter type",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="aid_applications",
                        to="regions.region",
                        verbose_name="place",
                    ),
                ),
                (
                    "service_point",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="aid_applications",
                        to="legal.servicepoint",
                        verbose_name="service point",
                    ),
                ),
            ],
            options={
                "verbose_name": "legal-aid application",
                "verbose_name_plural": "legal-aid applications",
                "ordering": ["-received_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="AidProgress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("hearing", "Hearing"),
                            ("document", "Document"),
                            ("outcome", "Outcome"),
                            ("other", "Other"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("happened_on", models.DateField(verbose_name="date")),
                ("note", models.TextField(verbose_name="what happened")),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="progress",
                        to="legal.application",
                        verbose_name="application",
                    ),
                ),
            ],
            options={
                "verbose_name": "progress entry",
                "verbose_name_plural": "progress entries",
                "ordering": ["happened_on", "id"],
            },
        ),
        migrations.CreateModel(
            name="AidDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("identity", "Identity document"),
                            ("hardship", "Proof of hardship"),
                            ("evidence", "Evidence about the matter"),
                            ("supplement", "Supplied on request"),
                            ("closing", "Closing file"),
                            ("other", "Other"),
                        ],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=100, verbose_name="title")),
                ("file", models.FileField(upload_to="legal/aid/%Y/%m/", verbose_name="file")),
                (
                    "thumbnail",
                    models.FileField(
                        blank=True, upload_to="legal/aid/%Y/%m/", verbose_name="thumbnail"
                    ),
                ),
                ("content_type", models.CharField(max_length=40, verbose_name="content type")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="size")),
                ("uploaded_at", models.DateTimeField(verbose_name="uploaded at")),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="documents",
                        to="legal.application",
                        verbose_name="application",
                    ),
                ),
            ],
            options={
                "verbose_name": "legal-aid document",
                "verbose_name_plural": "legal-aid documents",
                "ordering": ["uploaded_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="ApplicationEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="at"
                    ),
                ),
                ("action", models.CharField(max_length=30, verbose_name="action")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("data", models.JSONField(blank=True, default=dict, verbose_name="details")),
                (
                    "is_public",
                    models.BooleanField(default=True, verbose_name="shown to the reporter"),
                ),
                (
                    "effects_pending",
                    models.BooleanField(default=False, verbose_name="notices not yet sent"),
                ),
                (
                    "from_state",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("submitted", "Submitted"),
                            ("awaiting_documents", "Awaiting documents"),
                            ("under_review", "Under review"),
                            ("granted", "Aid granted"),
                            ("refused", "Refused"),
                            ("objected", "Objection lodged"),
                            ("assigned", "Lawyer assigned"),
                            ("terminated", "Aid terminated"),
                            ("concluded", "Concluded"),
                            ("closed", "Closed"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        max_length=20,
                        verbose_name="from",
                    ),
                ),
                (
                    "to_state",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("submitted", "Submitted"),
                            ("awaiting_documents", "Awaiting documents"),
                            ("under_review", "Under review"),
                            ("granted", "Aid granted"),
                            ("refused", "Refused"),
                            ("objected", "Objection lodged"),
                            ("assigned", "Lawyer assigned"),
                            ("terminated", "Aid terminated"),
                            ("concluded", "Concluded"),
                            ("closed", "Closed"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        max_length=20,
                        verbose_name="to",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="aid_events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="legal.application",
                        verbose_name="application",
                    ),
                ),
            ],
            options={
                "verbose_name": "timeline entry",
                "verbose_name_plural": "timeline",
                "ordering": ["at", "id"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="ExemptionRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                (
                    "colour",
                    models.CharField(default="#6b7280", max_length=9, verbose_name="colour"),
                ),
                (
                    "article",
                    models.CharField(
                        choices=[
                            ("32", "Art. 32: no hardship examination"),
                            ("42", "Art. 42: hardship deemed proven"),
                        ],
                        default="32",
                        max_length=2,
                        verbose_name="article",
                    ),
                ),
                (
                    "flags",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="All of these must be ticked.",
                        verbose_name="flags ticked",
                    ),
                ),
                (
                    "min_age",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="from age"
                    ),
                ),
                (
                    "max_age",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="up to age"
                    ),
                ),
                ("reason", models.CharField(max_length=200, verbose_name="reason shown")),
                (
                    "matter_types",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The matter must be one of these (none: any matter).",
                        related_name="exemption_rules",
                        to="legal.aidmattertype",
                        verbose_name="matter types",
                    ),
                ),
            ],
            options={
                "verbose_name": "exemption rule",
                "verbose_name_plural": "exemption rules",
                "ordering": ["order", "code"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="IncomeStandard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "region_path",
                    models.CharField(
                        db_index=True, editable=False, max_length=255, verbose_name="region path"
                    ),
                ),
                (
                    "yuan_per_person_month",
                    models.DecimalField(
                        decimal_places=2, max_digits=10, verbose_name="yuan per person per month"
                    ),
                ),
                (
                    "effective_from",
                    models.DateField(blank=True, null=True, verbose_name="effective from"),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "region",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="aid_income_standard",
                        to="regions.region",
                        verbose_name="county",
                    ),
                ),
            ],
            options={
                "verbose_name": "income standard",
                "verbose_name_plural": "income standards",
                "ordering": ["region_path"],
            },
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["state", "region_path"], name="legal_aid_state_place"),
        ),
        migrations.AddIndex(
            model_name="applicationevent",
            index=models.Index(
                condition=models.Q(("effects_pending", True)),
                fields=["id"],
                name="legal_aid_pending",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
