from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.region_index, name="index"),
    path("area/<str:code>/", views.region_drill, name="drill"),
    path("locate", views.locate, name="locate"),
    path("layers", views.layers, name="layers"),
    path("outlines", views.outlines, name="outlines"),
]
