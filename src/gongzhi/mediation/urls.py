from django.urls import path, register_converter

from .views import boards, conversion, dispute, figures, register
from .views import campaigns as rounds

try:  # the agreement's PDF and its signed copy live with the documents
    from .documents import agreement_pdf, upload_signed
except ImportError:  # not there yet: the dispute page leaves the links out
    agreement_pdf = upload_signed = None


class DisputeNumberConverter:
    regex = r"MD-\d{8}-\d{4,6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DisputeNumberConverter, "disputenum")

app_name = "mediation"
urlpatterns = [
    path("register/", register.register, name="register"),
    path("desk/", boards.workbench, name="workbench"),
    path("board/", boards.board, name="board"),
    path("board/export.xlsx", boards.board_export, name="board_export"),
    path("figures/", figures.figures_page, name="figures"),
    path("figures/export.xlsx", figures.figures_export, name="figures_export"),
    path("campaigns/", rounds.campaign_list, name="campaigns"),
    path("campaigns/new/", rounds.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", rounds.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/report/", rounds.campaign_report, name="campaign_report"),
    path("from-cases/", conversion.convert_queue, name="convert_queue"),
    path("from-cases/<str:number>/", conversion.convert_case, name="convert_case"),
    path("<disputenum:number>/", dispute.detail, name="detail"),
    path("<disputenum:number>/act/<slug:action>/", dispute.act, name="act"),
    path("<disputenum:number>/parties/", dispute.reveal, name="reveal"),
]
if agreement_pdf is not None:
    urlpatterns += [
        path("<disputenum:number>/agreement.pdf", agreement_pdf, name="agreement_pdf"),
        path("<disputenum:number>/agreement/signed/", upload_signed, name="agreement_upload"),
    ]
