"""The topics room's pages (names under the app's namespace ``deliberation:``)."""

urlpatterns: list = []
