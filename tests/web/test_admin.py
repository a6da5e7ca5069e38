"""Every model of ours can be managed in the admin, with Chinese labels."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from gongzhi.accounts.models import User

OUR_APPS = [
    "core",
    "regions",
    "accounts",
    "taxonomy",
    "notify",
    "cases",
    "triage",
    "command",
    "surveys",
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def our_models():
    return [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_model_is_registered_with_a_chinese_name(model):
    assert model in admin.site._registry, f"{model._meta.label} is not in the admin"
    with translation.override("zh-hans"):
        assert CJK.search(str(model._meta.verbose_name_plural)), model._meta.label
        for field in model._meta.get_fields():
            if getattr(field, "verbose_name", None) and not field.auto_created:
                assert CJK.search(str(field.verbose_name)), f"{model._meta.label}.{field.name}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_admin_list_and_add_page_opens(client, rf, model):
    root = User.objects.create_superuser("root_admin", password="Gongzhi@Admin26")
    client.force_login(root)
    info = (model._meta.app_label, model._meta.model_name)
    response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert response.status_code == 200
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = root
    if model_admin.has_add_permission(request):
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
