from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}$", views.service_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]+?)\.{FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests\.{FMT}$", views.request_list, name="requests"),
    re_path(rf"^requests/(?P<number>[^/]+?)\.{FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<value>[^/]+?)\.{FMT}$", views.token, name="token"),
    re_path(rf"^servicerequestupdates\.{FMT}$", views.updates, name="updates"),
    path("media/<str:token>", views.media, name="media"),
    re_path(r"^(?P<rest>.*)$", views.unknown_format),
]
