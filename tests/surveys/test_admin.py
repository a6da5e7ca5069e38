"""Every survey model is in the admin with translatable names, and its pages open; members
are listed with the phone masked."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.functional import Promise

from gongzhi.surveys.models import SampleMember
from tests.surveys.conftest import fielded

MODELS = list(apps.get_app_config("surveys").get_models())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_model_and_field_has_a_translatable_name(model):
    assert model in admin.site._registry
    assert isinstance(model._meta.verbose_name_plural, Promise), model._meta.label
    for field in model._meta.get_fields():
        if getattr(field, "verbose_name", None) and not field.auto_created:
            assert isinstance(field.verbose_name, Promise), f"{model._meta.label}.{field.name}"


@pytest.mark.django_db
def test_admin_pages_open_and_mask_the_phone(client, sv):
    wave = fielded(sv, sv.nianbo)
    client.force_login(sv.admin)
    for model in MODELS:
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    html = client.get(reverse("admin:surveys_questionnaire_change", args=[wave.questionnaire.pk]))
    assert "您晚上独自外出时觉得安全吗" in html.content.decode()
    member = SampleMember.objects.filter(wave=wave).first()
    listed = client.get(reverse("admin:surveys_samplemember_changelist")).content.decode()
    assert member.masked_phone in listed and member.phone not in listed
    change = client.get(reverse("admin:surveys_samplemember_change", args=[member.pk]))
    assert change.status_code == 200 and member.phone not in change.content.decode()
