from django.urls import path, register_converter

from gongzhi.cases.intake import offline
from gongzhi.cases.intake import views as intake
from gongzhi.cases.triage import views as triage
from gongzhi.cases.views import console, exports


class CaseNumberConverter:
    regex = r"[A-Z]{1,8}-\d{8}-\d{6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CaseNumberConverter, "casenum")

app_name = "cases"
urlpatterns = [
    # Intake: residents, grid workers, hotline operators; public tracking.
    path("report/", intake.quick_report, name="report"),
    # 随手拍 without signal: the app manifest, the service worker and what it keeps.
    path("report/manifest.webmanifest", offline.manifest, name="report_manifest"),
    path("report/sw.js", offline.worker, name="report_worker"),
    path("report/shell/", offline.shell, name="report_shell"),
    path("report/session/", offline.session, name="report_session"),
    path("hotline/", intake.hotline, name="hotline"),
    path("nearby/", intake.nearby, name="nearby"),
    path("address-hint/", intake.address_hint, name="address_hint"),
    path("caller-history/", intake.caller_history, name="caller_history"),
    path("nearby/<casenum:number>/support/", intake.support, name="support"),
    path("categories/", intake.category_search, name="category_search"),
    path("categories/questions/", intake.category_questions, name="category_questions"),
    path("geocode/", intake.geocode, name="geocode"),
    # The knowledge base of answers (直接答复): searched and picked while the caller waits.
    path("answers/", intake.answer_search, name="answer_search"),
    path("answers/<int:pk>/pick/", intake.answer_pick, name="answer_pick"),
    path("track/<casenum:number>/", intake.track, name="track"),
    # Consoles: dispatchers, departments, grid workers, leaders.
    path("", console.queue, name="queue"),
    path("export.xlsx", exports.queue_export, name="queue_export"),
    path("inbox/", console.inbox, name="inbox"),
    path("tasks/", console.tasks, name="tasks"),
    path("map/", console.case_map, name="map"),
    path("map/data/", console.map_data, name="map_data"),
    path("rates/", console.rates, name="rates"),
    path("rates/export.xlsx", exports.rates_export, name="rates_export"),
    # Triage: category queue, hotspots, possible duplicates of a case.
    path("triage/", triage.queue, name="triage_queue"),
    path("triage/<casenum:number>/decide/", triage.decide, name="triage_decide"),
    path("hotspots/", triage.hotspots, name="hotspots"),
    path("<casenum:number>/similar/", triage.similar, name="similar"),
    path("<casenum:number>/similar/verdict/", triage.offer, name="similar_verdict"),
    path("<casenum:number>/", console.detail, name="detail"),
    # A split makes new cases through intake: its own view, at the same address as any action.
    path("<casenum:number>/act/split/", intake.split_case, name="split"),
    path("<casenum:number>/act/<slug:action>/", console.act, name="act"),
    path("<casenum:number>/save-answer/", console.save_answer, name="save_answer"),
    path("<casenum:number>/photos/<int:pk>/<slug:size>/", console.photo, name="photo"),
]
