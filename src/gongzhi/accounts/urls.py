from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/", views.two_factor_verify, name="two_factor_verify"),
    path("2fa/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path(
        "reveal/<str:app_label>/<str:model_name>/<str:pk>/",
        views.reveal,
        name="reveal_personal_data",
    ),
]
