"""The sensing app's pages, under /sensing/. Each room of views keeps its own patterns."""

from .views import console, figures, map, registry, rules

app_name = "sensing"
urlpatterns = [
    *registry.urlpatterns,
    *rules.rules_urlpatterns,
    *map.urlpatterns,
    *figures.urlpatterns,
    *console.console_urlpatterns,
]
