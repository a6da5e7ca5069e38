"""The patrols room's pages (names under the app's namespace ``community:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("patrols/", views.routes, name="patrol_routes"),
    path("patrols/routes/new/", views.route_new, name="patrol_route_new"),
    path("patrols/routes/<int:pk>/", views.route, name="patrol_route"),
    path(
        "patrols/routes/<int:pk>/checkpoints/", views.checkpoint_add, name="patrol_checkpoint_add"
    ),
    path("patrols/routes/<int:pk>/reprint/", views.route_reprint, name="patrol_route_reprint"),
    path("patrols/routes/<int:pk>/sheet.pdf", views.route_sheet, name="patrol_route_sheet"),
    path("patrols/routes/<int:pk>/start/", views.patrol_start, name="patrol_start"),
    path("patrols/board/", views.board, name="patrol_board"),
    path("patrols/board/live/", views.board_live, name="patrol_board_live"),
    path("patrols/month/", views.month, name="patrol_month"),
    path("patrols/c/<str:token>/", views.code, name="patrol_code"),
    path("patrols/<int:pk>/", views.patrol, name="patrol"),
    path("patrols/<int:pk>/scan/", views.patrol_scan, name="patrol_scan"),
    path("patrols/<int:pk>/finish/", views.patrol_finish, name="patrol_finish"),
    path("patrols/<int:pk>/problem/", views.patrol_problem, name="patrol_problem"),
]
