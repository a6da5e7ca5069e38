from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    path(
        "reveal/<str:app_label>/<str:model_name>/<str:pk>/",
        views.reveal,
        name="reveal_personal_data",
    ),
]
