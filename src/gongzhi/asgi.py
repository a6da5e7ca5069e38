import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
# The web server's processes: only they cancel a statement that runs too long (settings).
os.environ.setdefault("GONGZHI_WEB_PROCESS", "1")
django_application = get_asgi_application()

from gongzhi.core.media import limit_asgi_request_size  # noqa: E402 - needs the settings

# Django reads a whole body before any middleware runs: refuse an oversized one first.
application = limit_asgi_request_size(django_application)
