from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("unread-count", views.unread_count, name="unread_count"),
    path("read-all", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/read", views.mark_read, name="mark_read"),
    path("<int:pk>/open", views.open_link, name="open"),
]
