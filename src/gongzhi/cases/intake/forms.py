"""Forms of the intake pages: they parse and type-check what the browser sent and hand the
service a ``services.Report``. The service has the last word on what a report may be (rule
6); a ``ServiceError`` it raises is put next to the field it names with ``add_case_error``."""

from __future__ import annotations

import hashlib
import hmac
import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.choices import Satisfaction
from gongzhi.cases.intake.services import Report
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import ServiceError

# What crypto.randomUUID() (or the page's fallback) produces, with some slack.
IDEMPOTENCY_KEY_RE = r"^[A-Za-z0-9_-]{8,64}$"

# An answer to one of the category's questions, named as Open311 names it:
# ``attribute[code]``, or ``attribute[code][]`` for one of several values.
ATTRIBUTE_RE = re.compile(r"^attribute\[([A-Za-z0-9_-]{1,40})\](\[\])?$")
MAX_ANSWERS = 50


def posted_answers(data) -> dict[str, list[str]]:
    """The answers in a posted form (a QueryDict), code → the values given; checked by the
    service against the category's questions (``taxonomy.attributes.clean_answers``)."""
    answers: dict[str, list[str]] = {}
    for name in list(data.keys())[: MAX_ANSWERS * 4]:
        match = ATTRIBUTE_RE.match(name)
        if match and (match.group(1) in answers or len(answers) < MAX_ANSWERS):
            answers.setdefault(match.group(1), []).extend(
                str(v)[:2000] for v in data.getlist(name)[:MAX_ANSWERS]
            )
    return answers


def scoped_idempotency_key(user, raw: str | None) -> str | None:
    """The key stored on the case: the browser's key bound to the person who submitted it.

    A retry by the same person finds the first case; the same browser key sent by somebody
    else (a bug, a cached page, a guess) makes a case of its own instead of handing them
    another person's case and its tracking token. An HMAC, so the stored key does not name
    the account behind an anonymous report.
    """
    if not raw:
        return None
    message = f"intake:{getattr(user, 'pk', None)}:{raw}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"web-{digest[:48]}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files from one ``<input type=file multiple>``. Only emptiness is checked here:
    the content (type, size, pixels) is checked by ``cases.media`` through the service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


class IntakeForm(forms.Form):
    """What both intake pages share: where, what kind, what, and the retry key."""

    # Which form field shows a service error about a field that is not an input of its own.
    error_targets: dict[str, str] = {}

    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    address = forms.CharField(required=False, max_length=200)
    category = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)
    idempotency_key = forms.RegexField(IDEMPOTENCY_KEY_RE, required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if (data.get("lng") is None) != (data.get("lat") is None) and not self.errors.get("lng"):
            self.add_error("lng", _("The location is not a valid point."))
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The answers to the category's questions, shown again next to them after an error.
        self.answers = posted_answers(self.data) if self.is_bound else {}
        self.answer_errors: dict[str, str] = {}

    def add_case_error(self, error: ServiceError) -> None:
        for each in error.all:
            match = ATTRIBUTE_RE.match(each.field or "")
            if match:  # an answer to one of the questions: said at the top and next to it
                self.answer_errors[match.group(1)] = each.message
                self.add_error(None, each.message)
                continue
            field = self.error_targets.get(each.field or "", each.field)
            self.add_error(field if field in self.fields else None, each.message)

    def _report(self, *, channel: str, user, **extra) -> Report:
        d = self.cleaned_data
        return Report(
            channel=channel,
            answers=self.answers,
            description=d.get("description") or "",
            category_id=d.get("category"),
            lng=d.get("lng"),
            lat=d.get("lat"),
            crs="wgs84",  # the browser's geolocation and our map both speak WGS84
            address=d.get("address") or "",
            idempotency_key=scoped_idempotency_key(user, d.get("idempotency_key")),
            **extra,
        )


class QuickReportForm(IntakeForm):
    """随手拍: photos, the phone's location, a category, a few words."""

    error_targets = {"location": "lng"}

    photos = PhotosField()
    is_anonymous = forms.BooleanField(required=False)

    def to_report(self, *, channel: str, user) -> Report:
        return self._report(
            channel=channel, user=user, is_anonymous=self.cleaned_data.get("is_anonymous", False)
        )

    @property
    def photos_sent(self) -> bool:
        return bool(self.files.getlist("photos")) if self.is_bound else False


class HotlineForm(IntakeForm):
    """12345: a caller on the line, typed in by an operator."""

    error_targets = {"location": "address"}

    reporter_name = forms.CharField(required=False, max_length=50)
    reporter_phone = forms.CharField(required=False, max_length=30)
    is_urgent = forms.BooleanField(required=False)
    # 直接答复: the operator's answer to a consultation, and the knowledge-base entry it
    # came from (if any); used only when the call is answered rather than saved.
    answer = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    answer_entry = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def to_report(self, *, channel: str, user) -> Report:
        d = self.cleaned_data
        return self._report(
            channel=channel,
            user=user,
            reporter_name=d.get("reporter_name") or "",
            reporter_phone=d.get("reporter_phone") or "",
            is_urgent=d.get("is_urgent", False),
        )


class NearbyForm(forms.Form):
    """The query of the "already reported nearby?" hint."""

    category = forms.IntegerField(min_value=1, max_value=MAX_ID)
    lng = forms.FloatField(min_value=-180, max_value=180, required=False)
    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    # A hotline call without a pin: the address as typed, placed by the gazetteer.
    address = forms.CharField(max_length=200, required=False)
    text = forms.CharField(max_length=500, required=False)  # what the reporter has typed so far

    def clean(self):
        data = super().clean()
        has_point = data.get("lng") is not None and data.get("lat") is not None
        if not has_point and not (data.get("address") or "").strip():
            raise forms.ValidationError("a point or an address is needed")
        return data


def _yes_no(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CallbackForm(forms.Form):
    """回访 by the reporter: solved or not, how satisfied, a comment."""

    resolved = forms.TypedChoiceField(
        choices=[("yes", _("Yes, it is solved")), ("no", _("No, not solved"))],
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        choices=Satisfaction.choices, required=False, widget=forms.RadioSelect
    )
    comment = forms.CharField(required=False, max_length=500, widget=forms.Textarea)

    def add_case_error(self, error: ServiceError) -> None:
        for each in error.all:
            self.add_error(each.field if each.field in self.fields else None, each.message)

    def params(self) -> dict:
        d = self.cleaned_data
        return {
            "resolved": d.get("resolved"),
            "satisfaction": d.get("satisfaction") or None,
            "comment": (d.get("comment") or "").strip(),
        }
