"""Refusals and missing pages speak the reader's language, inside the platform's frame."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_case_outside_the_viewers_scope_gets_a_chinese_404_page(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.resident)
    response = client.get(reverse("cases:detail", args=["HD-20990101-000001"]))
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-page" data-status="404"' in html and "找不到" in html
    assert 'class="userbox"' in html  # the platform's header, with the way back


def test_a_refused_page_gets_a_403_page_in_english_for_an_english_reader(client, world):
    client.force_login(world.resident)
    response = client.get(reverse("cases:hotline"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-status="403"' in html and "may not open this page" in html


def test_the_500_page_needs_no_request_context(settings):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        html = render_to_string("500.html")
    assert 'data-status="500"' in html and "出错" in html and 'lang="zh-hans"' in html


def test_the_language_menu_names_each_language_in_itself(world):
    client = Client()
    client.force_login(world.resident)
    html = client.get(reverse("cases:report")).content.decode()
    assert ">English</option>" in html and ">简体中文</option>" in html
    # Even one's own name is masked on the page (a shared screen); the profile reveals it.
    assert world.resident.masked_name in html and world.resident.get_full_name() not in html
