import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
django_application = get_asgi_application()

from gongzhi.core.media import limit_asgi_request_size  # noqa: E402 - needs the settings

# Django reads a whole body before any middleware runs: refuse an oversized one first.
application = limit_asgi_request_size(django_application)
