"""The legal-aid room's pages, under /legal/aid/."""

from django.urls import path, register_converter

from . import views


class ApplicationNumberConverter:
    regex = r"FY\d{4}-\d{6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ApplicationNumberConverter, "aidnum")

urlpatterns = [
    path("aid/apply/", views.apply, name="aid_apply"),
    path("aid/mine/", views.mine, name="aid_mine"),
    path("aid/desk/", views.desk, name="aid_desk"),
    path("aid/lawyer/", views.lawyer, name="aid_lawyer"),
    path("aid/objections/", views.objections, name="aid_objections"),
    path("aid/documents/<int:pk>/", views.document, name="aid_document"),
    path("aid/documents/<int:pk>/thumb/", views.document_thumb, name="aid_document_thumb"),
    path("aid/<aidnum:number>/", views.detail, name="aid_detail"),
    path("aid/<aidnum:number>/act/<slug:action>/", views.act, name="aid_act"),
    path("aid/<aidnum:number>/documents/", views.upload, name="aid_upload"),
    path("aid/<aidnum:number>/personal/", views.reveal, name="aid_reveal"),
    path("aid/<aidnum:number>/decision.pdf", views.letter, name="aid_letter"),
]
