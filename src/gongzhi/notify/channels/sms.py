from .. import conf
from .base import Channel, Message
from .http import encode, post_json

# Long texts are split into several billable SMS; cap what one notification may cost.
MAX_SMS_CHARS = 300


class SmsChannel(Channel):
    """POSTs {phone, text, sign} as JSON to the SMS gateway at GONGZHI_SMS_GATEWAY_URL."""

    code = "sms"

    def is_configured(self) -> bool:
        return bool(conf.sms_gateway_url())

    def target_for(self, user) -> str:
        return getattr(user, "mobile", "") or ""

    def build_payload(self, message: Message) -> dict:
        text = "：".join(p for p in (message.title, message.body) if p)
        if message.absolute_link:
            text = f"{text} {message.absolute_link}"
        return {"text": text[:MAX_SMS_CHARS]}

    def send(self, delivery) -> int:
        body = encode(
            {
                "phone": delivery.target,
                "text": delivery.payload.get("text", ""),
                "sign": conf.sms_sign(),
            }
        )
        headers = {}
        if token := conf.sms_gateway_token():
            headers["Authorization"] = f"Bearer {token}"
        return post_json(conf.sms_gateway_url(), body, headers=headers, timeout=conf.http_timeout())
