"""The command centre's pages, under /command/. Each room of views keeps its own patterns."""

from .views import analytics, reports, safety, screen, warnings

app_name = "command"
urlpatterns = [
    *screen.urlpatterns,
    *analytics.urlpatterns,
    *warnings.urlpatterns,
    *reports.urlpatterns,
    *safety.urlpatterns,
]
