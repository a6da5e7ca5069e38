"""Settings the notify app reads, with their defaults.

Read at call time (not import time) so that tests and deployments can change them.
A channel whose setting is empty is "not configured": its deliveries are recorded
as ``skipped`` with the reason, so an administrator can see why nothing was sent.
"""

from django.conf import settings


def sms_gateway_url() -> str:
    return getattr(settings, "GONGZHI_SMS_GATEWAY_URL", "") or ""


def sms_gateway_token() -> str:
    # Optional bearer token for the gateway; most intranet gateways use one.
    return getattr(settings, "GONGZHI_SMS_GATEWAY_TOKEN", "") or ""


def sms_sign() -> str:
    # The carrier-registered SMS signature (短信签名), sent as "sign".
    return getattr(settings, "GONGZHI_SMS_SIGN", "共治")


def http_timeout() -> float:
    return float(getattr(settings, "GONGZHI_NOTIFY_HTTP_TIMEOUT", 10))


def max_attempts() -> int:
    return int(getattr(settings, "GONGZHI_NOTIFY_MAX_ATTEMPTS", 5))


def backoff_seconds() -> float:
    return float(getattr(settings, "GONGZHI_NOTIFY_BACKOFF_SECONDS", 60))


def backoff_max_seconds() -> float:
    return float(getattr(settings, "GONGZHI_NOTIFY_BACKOFF_MAX_SECONDS", 6 * 3600))


def requeue_after_seconds() -> float:
    # How long a queued delivery may sit unclaimed before `notify retry` assumes its
    # task was lost (worker crash, broker outage) and queues it again.
    return float(getattr(settings, "GONGZHI_NOTIFY_REQUEUE_AFTER_SECONDS", 300))


def site_url() -> str:
    # Prefix for relative links in SMS and e-mail, e.g. "https://gongzhi.haidong.gov.cn".
    return (getattr(settings, "GONGZHI_SITE_URL", "") or "").rstrip("/")
