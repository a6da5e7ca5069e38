from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db.models.signals import pre_save

        from gongzhi.cases import live
        from gongzhi.cases.models import Case
        from gongzhi.cases.workflow import deadlines, reference
        from gongzhi.core import push

        reference.connect_signals()
        # A time limit (taxonomy.StageClock) names one of these channels.
        from gongzhi.cases.choices import Channel
        from gongzhi.taxonomy.models import register_channels

        register_channels(Channel.choices)
        # A new report's acceptance clock starts as it is written (intake's report).
        pre_save.connect(deadlines.on_new_case, sender=Case, dispatch_uid="case-accept-clock")
        # A case's live messages reach those who govern its place (as Case.visible_to),
        # not a department that merely serves the county.
        push.register_topic(live.TOPIC, paths=lambda scope: scope.territory_paths)

        from gongzhi.core import periodic

        def resume_suspended(now=None):
            from gongzhi.cases.workflow import suspension

            return suspension.resume_due(now=now)

        # Suspended cases whose expected resume date has come run again (挂起 → resumed).
        periodic.register("case_suspensions", resume_suspended)

        def refresh_hotspots(now=None):
            from gongzhi.cases.triage import hooks as triage_hooks

            return triage_hooks.refresh_hotspots(now=now)

        # The hotspots of their recent viewers, recomputed after a change (not on the view).
        periodic.register("hotspots", refresh_hotspots)

        from gongzhi.cases.signals import case_merged

        def record_merge(**kwargs):
            from gongzhi.cases.triage import hooks as triage_hooks

            triage_hooks.record_merge(**kwargs)

        # A merge a person takes is kept as a verdict (labelled data for the duplicate scorer).
        case_merged.connect(record_merge, weak=False, dispatch_uid="merge-verdict")
