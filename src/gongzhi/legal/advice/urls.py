"""The advice room's pages, under /legal/advice/."""

from django.urls import path

from . import views

urlpatterns = [
    path("advice/ask/", views.ask, name="ask"),
    path("advice/similar/", views.similar, name="advice_similar"),
    path("advice/mine/", views.questions_mine, name="questions_mine"),
    path("advice/desk/", views.advice_desk, name="advice_desk"),
    path("advice/questions/<int:pk>/", views.question, name="question"),
    path("advice/questions/<int:pk>/answer/", views.answer, name="question_answer"),
    path("advice/questions/<int:pk>/pass/", views.pass_on, name="question_pass"),
    path("advice/questions/<int:pk>/rate/", views.rate, name="question_rate"),
    path("advice/knowledge/", views.knowledge, name="knowledge"),
    path("advice/knowledge/<int:pk>/", views.knowledge_entry, name="knowledge_entry"),
]
