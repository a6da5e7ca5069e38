"""普法's pages, under /legal/outreach/."""

from django.urls import path

from . import views

urlpatterns = [
    path("outreach/", views.reader_list, name="outreach"),
    path("outreach/<int:pk>/", views.article, name="outreach_article"),
    path("outreach/desk/", views.desk, name="outreach_desk"),
    path("outreach/desk/new/", views.article_new, name="outreach_article_new"),
    path("outreach/desk/campaigns/new/", views.campaign_new, name="outreach_campaign_new"),
    path("outreach/desk/<int:pk>/", views.stats, name="outreach_stats"),
    path("outreach/desk/<int:pk>/publish/", views.publish, name="outreach_publish"),
    path("outreach/desk/<int:pk>/edit/", views.article_edit, name="outreach_article_edit"),
]
