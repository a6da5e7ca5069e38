"""Issue 22, safeguard 6: every response carries a Content-Security-Policy that allows no
inline script and no eval, with the other security headers; behind TLS (GONGZHI_HTTPS=1) the
site sends HSTS for a year and its cookies are secure; and no template holds an inline
script or handler, so the policy costs no page its behaviour."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import gongzhi

TEMPLATES = Path(gongzhi.__file__).parent


# The policy is enforced (GONGZHI_CSP_REPORT_ONLY=1 would only report).
HEADER = "Content-Security-Policy"


def _policy(response) -> dict[str, list[str]]:
    header = response[HEADER]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def _assert_secure_headers(response):
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert "'unsafe-inline'" in policy["style-src"]
    assert {"'self'", "data:", "blob:"} <= set(policy["img-src"])
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/accounts/login/", "/api/v1/openapi.json", "/api/v1/docs", "/healthz"],
)
def test_every_response_carries_the_policy_and_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code in (200, 401, 403)
    _assert_secure_headers(response)


@pytest.mark.django_db
def test_a_refused_login_and_a_missing_page_carry_them_too(client):
    _assert_secure_headers(client.post("/accounts/login/", {"username": "x", "password": "y"}))
    _assert_secure_headers(client.get("/no-such-page/"))


@pytest.mark.django_db
def test_plain_http_sends_no_hsts_and_no_secure_cookies(client):
    response = client.get("/accounts/login/", secure=True)
    assert "Strict-Transport-Security" not in response
    assert not response.cookies["csrftoken"]["secure"]


def _served_behind_tls(tmp_path, code, **env):
    """Runs ``code`` in a fresh process whose settings read GONGZHI_HTTPS=1 (and ``env``)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    environ.pop("DATABASE_URL", None)
    environ.update(
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
        GONGZHI_VAR_DIR=str(tmp_path),
        GONGZHI_HTTPS="1",
        GONGZHI_SECRET_KEY=secrets.token_urlsafe(50),
        GONGZHI_ALLOWED_HOSTS="gongzhi.example.gov.cn,testserver",
        **env,
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_behind_tls_hsts_is_sent_for_a_year_and_the_cookies_are_secure(tmp_path):
    code = (
        "import django,json;django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment\n"
        "setup_test_environment()\n"
        # static files as in development: no collectstatic manifest in this process
        "from django.test.utils import override_settings\n"
        "override_settings(STORAGES={'default': {'BACKEND': "
        "'django.core.files.storage.FileSystemStorage'}, 'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable()\n"
        "c = Client()\n"
        # nginx with TLS in front says so in X-Forwarded-Proto
        "r = c.get('/accounts/login/', headers={'X-Forwarded-Proto': 'https'})\n"
        "plain = c.get('/accounts/login/')\n"
        "print(json.dumps({'status': r.status_code, 'hsts': r.get('Strict-Transport-Security'),"
        "'csrf_secure': bool(r.cookies['csrftoken']['secure']),"
        "'plain_hsts': plain.get('Strict-Transport-Security'), 'plain': plain.status_code,"
        "'img': r['Content-Security-Policy'], 'ro': r.get('Content-Security-Policy-Report-Only')}))\n"
    )
    out = json.loads(
        _served_behind_tls(
            tmp_path,
            code,
            GONGZHI_MAP_TILES="https://t{s}.tiles.example.cn/{z}/{x}/{y}",
        )
    )
    assert out["status"] == 200
    assert out["hsts"] == "max-age=31536000; includeSubDomains"
    assert out["csrf_secure"] is True
    assert out["plain"] == 200 and out["plain_hsts"] is None  # HSTS only over HTTPS
    assert "img-src 'self' data: blob: https://*.tiles.example.cn" in out["img"]
    assert out["ro"] is None  # enforced, not merely reported


def test_report_only_is_a_choice_and_then_nothing_is_enforced(tmp_path):
    code = (
        "import django,json;django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps([s.CONTENT_SECURITY_POLICY, s.CONTENT_SECURITY_POLICY_REPORT_ONLY]))\n"
    )
    enforced, reported = json.loads(_served_behind_tls(tmp_path, code, GONGZHI_CSP_REPORT_ONLY="1"))
    assert enforced is None
    assert reported["DIRECTIVES"]["script-src"] == ["'self'"]


def test_check_deploy_finds_no_https_warning_behind_tls(tmp_path):
    code = (
        "import django;django.setup()\n"
        "from django.core import checks\n"
        "for m in checks.run_checks(include_deployment_checks=True):print(m.id)\n"
    )
    found = set(_served_behind_tls(tmp_path, code).split())
    # HSTS, its subdomains, secure session and CSRF cookies, the secret key, DEBUG
    for check in ("W004", "W005", "W012", "W016", "W009", "W018"):
        assert f"security.{check}" not in found


# What a template may not hold: a <script> with a body (only src= is allowed), an on*=
# handler attribute, a javascript: URL, or htmx's hx-on (also evaluated inline).
INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"),
        "inline <script>",
    ),
    (re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S), "on…= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\bhx-on"), "hx-on attribute"),
]


def test_no_template_holds_an_inline_script_or_handler():
    found = []
    for path in sorted(TEMPLATES.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "the Content-Security-Policy would block:\n" + "\n".join(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_run_their_scripts_under_the_policy(page):
    """The language menu sends its form (page.js, no inline handler) and Swagger UI draws the
    API's docs, with no script refused by the policy on the way."""
    refused = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(page.base_url + "/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(page.base_url + "/api/v1/docs")
    page.locator("#swagger-ui .info .title").wait_for()
    assert refused == []
