"""The notary room's pages, under /legal/notary/."""

from django.urls import path

from . import views

urlpatterns = [
    path("notary/", views.matter_list, name="notary"),
    path("notary/mine/", views.mine, name="notary_mine"),
    path("notary/desk/", views.desk, name="notary_desk"),
    path("notary/desk/slots/", views.slots, name="notary_slots"),
    path("notary/bookings/<str:number>/", views.booking_detail, name="notary_booking"),
    path("notary/bookings/<str:number>/cancel/", views.cancel, name="notary_cancel"),
    path("notary/bookings/<str:number>/mark/", views.mark, name="notary_mark"),
    path("notary/bookings/<str:number>/reveal/", views.reveal, name="notary_reveal"),
    path("notary/m/<slug:code>/", views.matter_guide, name="notary_matter"),
    path("notary/m/<slug:code>/book/", views.book, name="notary_book"),
]
