"""The notices room's pages, under /community/notices/."""

from django.urls import path

from . import views

urlpatterns = [
    path("notices/", views.inbox, name="notices"),
    path("notices/sent/", views.sent, name="notices_sent"),
    path("notices/new/", views.new, name="notice_new"),
    path("notices/sent/<str:number>/", views.sender, name="notice_sent"),
    path("notices/sent/<str:number>/waiting.xlsx", views.waiting_sheet, name="notice_waiting"),
    path(
        "notices/sent/<str:number>/<str:action>/",
        views.act,
        name="notice_act",
    ),
    path("notices/<str:number>/", views.notice, name="notice"),
    path("notices/<str:number>/answer/", views.answer, name="notice_answer"),
    path("notices/<str:number>/files/<int:pk>/", views.attachment, name="notice_file"),
]
