"""The deliberation hall's pages, under /deliberation/. Each room keeps its own patterns."""

from .matters import urls as matters
from .meetings import urls as meetings
from .openness import urls as openness
from .public import urls as public
from .topics import urls as topics

app_name = "deliberation"
urlpatterns = [
    *public.urlpatterns,
    *topics.urlpatterns,
    *meetings.urlpatterns,
    *matters.urlpatterns,
    *openness.urlpatterns,
]
