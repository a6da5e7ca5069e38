import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
# The web server's processes: only they cancel a statement that runs too long (settings).
os.environ.setdefault("GONGZHI_WEB_PROCESS", "1")
application = get_wsgi_application()
