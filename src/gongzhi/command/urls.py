"""The command centre's pages, under /command/. Each room of views keeps its own patterns."""

from .views import analytics, early_warnings, reports, safety, screen

app_name = "command"
urlpatterns = [
    *screen.urlpatterns,
    *analytics.urlpatterns,
    *early_warnings.urlpatterns,
    *reports.urlpatterns,
    *safety.urlpatterns,
]
