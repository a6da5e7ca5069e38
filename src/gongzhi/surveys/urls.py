"""The surveys app's pages, mounted at /surveys/ (patterns in ``views``)."""

from .views import urlpatterns as urlpatterns

app_name = "surveys"
