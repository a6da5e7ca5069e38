"""Logging in through the real login page in Chromium."""

import pytest

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Gongzhi@Test2026"


@pytest.fixture
def dispatcher():
    centre = Organisation.objects.create(
        code="T-CC", name="测试指挥中心", kind=OrganisationKind.COMMAND_CENTRE
    )
    user = User.objects.create_user("zhang_dispatch", password=PASSWORD, display_name="张调度")
    Membership.objects.create(user=user, organisation=centre, role=Role.DISPATCHER)
    return user


def test_login_with_the_right_password_reaches_the_overview(page, dispatcher):
    page.goto(page.base_url + "/")
    # Not logged in: sent to the login page, in Chinese by default.
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("h1").inner_text() == "登录"
    page.fill("#id_username", "zhang_dispatch")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/")
    assert "张*" in page.locator(".userbox").inner_text()
    assert page.locator("h1").inner_text() == "总览"


def test_wrong_password_is_refused_with_a_chinese_message(page, dispatcher):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", "zhang_dispatch")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "请输入一个正确的" in alert.inner_text()
    assert "/accounts/login/" in page.url


def test_the_interface_switches_to_english(page, dispatcher):
    page.goto(page.base_url + "/accounts/login/")
    with page.expect_navigation():  # choosing a language posts the form and reloads
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Log in"
