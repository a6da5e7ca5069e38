"""The legal services' pages, under /legal/. Each room keeps its own patterns."""

from .advice import urls as advice
from .aid import urls as aid
from .figures import urls as figures
from .notary import urls as notary
from .outreach import urls as outreach
from .points import urls as points

app_name = "legal"
urlpatterns = [
    *points.urlpatterns,
    *aid.urlpatterns,
    *advice.urlpatterns,
    *notary.urlpatterns,
    *outreach.urlpatterns,
    *figures.urlpatterns,
]
