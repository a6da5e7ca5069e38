"""The people app's pages, under /people/. Each room of views keeps its own patterns."""

from .views import buildings, checkin, figures, imports, offices, register, visits

app_name = "people"
urlpatterns = [
    *register.urlpatterns,
    *buildings.urlpatterns,
    *imports.urlpatterns,
    *visits.urlpatterns,
    *checkin.urlpatterns,
    *figures.urlpatterns,
    *offices.urlpatterns,
]
