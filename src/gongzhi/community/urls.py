"""The community app's pages, under /community/. Each room keeps its own patterns."""

from .customs import urls as customs
from .notices import urls as notices
from .patrols import urls as patrols
from .points import urls as points
from .public import urls as public
from .repairs import urls as repairs
from .volunteers import urls as volunteers

app_name = "community"
urlpatterns = [
    *public.urlpatterns,
    *repairs.urlpatterns,
    *notices.urlpatterns,
    *volunteers.urlpatterns,
    *patrols.urlpatterns,
    *points.urlpatterns,
    *customs.urlpatterns,
]
