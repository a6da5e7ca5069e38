"""Two-step sign-in in Chromium (issue 22, safeguard 1): a dispatcher enrols with a TOTP code
computed here as a phone would, signs in again with a code, then with a recovery code,
which works once."""

import pytest
from axes.utils import reset
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts.models import Role
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WAIT = 30_000


@pytest.fixture(autouse=True)
def enforced(settings):
    reset()
    settings.GONGZHI_TWO_FACTOR = True


def phone_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, t0=device.t0 - steps_ahead * device.step):06d}"


def password_step(page, username):
    page.goto(page.base_url + "/accounts/login/?next=/accounts/me/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def sign_out(page):
    page.goto(page.base_url + "/accounts/me/")
    page.context.clear_cookies()


def test_enrol_sign_in_with_a_code_and_with_a_recovery_code_once(page):
    dispatcher = UserFactory(
        username="duty_dispatcher", organisation=OrganisationFactory(), role=Role.DISPATCHER
    )
    page.set_default_timeout(WAIT)
    password_step(page, dispatcher.username)
    page.wait_for_url("**/accounts/2fa/enrol/**", timeout=WAIT)
    assert page.locator("nav.mainnav a").count() == 0  # nothing to open before the code
    qr = page.locator("#otp-qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert page.evaluate("document.getElementById('otp-qr').naturalWidth") > 0  # it draws
    device = TOTPDevice.objects.get(user=dispatcher, confirmed=False)
    page.fill("#id_code", phone_code(device))
    page.click("#two-factor-enrol button.primary")
    page.wait_for_selector("#recovery-codes", timeout=WAIT)
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("#recovery-continue")
    page.wait_for_url("**/accounts/me/", timeout=WAIT)
    assert page.locator("#security").is_visible()

    # A new sign-in asks for the code from the phone.
    page.context.clear_cookies()
    password_step(page, dispatcher.username)
    page.wait_for_url("**/accounts/2fa/**", timeout=WAIT)
    page.fill("#id_code", "000000")
    page.click("#two-factor-verify button.primary")
    page.wait_for_selector("[data-code=otp-error]", timeout=WAIT)
    page.fill("#id_code", phone_code(device, steps_ahead=1))
    page.click("#two-factor-verify button.primary")
    page.wait_for_url("**/accounts/me/", timeout=WAIT)

    # Without the phone: a recovery code, once.
    for attempt in ("first", "second"):
        page.context.clear_cookies()
        password_step(page, dispatcher.username)
        page.wait_for_url("**/accounts/2fa/**", timeout=WAIT)
        page.fill("#id_code", codes[0])
        page.click("#two-factor-verify button.primary")
        if attempt == "first":
            page.wait_for_url("**/accounts/me/", timeout=WAIT)
        else:
            page.wait_for_selector("[data-code=otp-error]", timeout=WAIT)
            assert "/accounts/2fa/" in page.url
