from django.conf import settings
from django.core.mail import send_mail

from .base import Channel, DeliveryError, Message


class EmailChannel(Channel):
    """Sends through Django's configured e-mail backend (SMTP in production)."""

    code = "email"

    def target_for(self, user) -> str:
        return getattr(user, "email", "") or ""

    def build_payload(self, message: Message) -> dict:
        body = message.body
        if message.absolute_link:
            body = f"{body}\n\n{message.absolute_link}".strip()
        # A header may not contain line breaks.
        return {"subject": " ".join(message.title.split()), "body": body}

    def send(self, delivery) -> None:
        try:
            send_mail(
                delivery.payload.get("subject", ""),
                delivery.payload.get("body", ""),
                settings.DEFAULT_FROM_EMAIL,
                [delivery.target],
                fail_silently=False,
            )
        except Exception as e:  # SMTP and socket errors alike: worth another try later
            raise DeliveryError(f"{type(e).__name__}: {e}") from e
