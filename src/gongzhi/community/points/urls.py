"""The points room's pages (names under the app's namespace ``community:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("points/", views.home, name="points"),
    path("points/code/", views.code, name="points_code"),
    path("points/code/<str:nonce>/state/", views.code_state, name="points_code_state"),
    path("points/board/<int:region_id>/", views.board, name="points_board"),
    path("points/desk/<int:region_id>/", views.desk, name="points_desk"),
    path("points/desk/<int:region_id>/award/", views.award, name="points_award"),
    path("points/desk/<int:region_id>/redeem/", views.redeem, name="points_redeem"),
    path("points/desk/<int:region_id>/goods/", views.goods, name="points_goods"),
    path("points/entries/<int:entry_id>/reverse/", views.reverse_entry, name="points_reverse"),
]
