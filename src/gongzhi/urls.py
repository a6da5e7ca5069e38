from django.contrib import admin
from django.urls import include, path

from gongzhi.api import api
from gongzhi.command import views as command_views
from gongzhi.core import views as core_views

urlpatterns = [
    path("", command_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("regions/", include("gongzhi.regions.urls")),
    path("notify/", include("gongzhi.notify.urls")),
    path("cases/", include("gongzhi.cases.urls")),
    path("mediation/", include("gongzhi.mediation.urls")),
    path("people/", include("gongzhi.people.urls")),
    path("sensing/", include("gongzhi.sensing.urls")),
    path("command/", include("gongzhi.command.urls")),
    path("surveys/", include("gongzhi.surveys.urls")),
    path("legal/", include("gongzhi.legal.urls")),
    path("deliberation/", include("gongzhi.deliberation.urls")),
    path("community/", include("gongzhi.community.urls")),
    path("push/", include("gongzhi.core.urls")),
    path("api/v1/", api.urls),
    path("open311/v2/", include("gongzhi.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = admin.site.site_title = "共治 Gongzhi"
