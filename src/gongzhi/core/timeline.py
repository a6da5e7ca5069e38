"""The timeline every workflow keeps: one row per step, written by the engine only.

A domain's event model subclasses ``TimelineEvent`` and adds its subject (the case, the
dispute …), its actor and its states. ``effects_pending`` is the durable half of "side
effects after commit": it is set in the step's own transaction and cleared in the
transaction that sends the step's notices and events (``gongzhi.core.workflow``), so a
process that dies between the commit and the sending leaves the step to the next sweep
instead of losing it.

``actor_display_name`` is the platform's one rule for naming who took a step: a person
acting for their unit does so in office, and an official's name in office is not personal
data; anyone else's is masked.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimelineEvent(models.Model):
    # A default, not auto_now_add: the demo's history is dated in the past.
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=30)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    is_public = models.BooleanField(_("shown to the reporter"), default=True)
    effects_pending = models.BooleanField(_("notices not yet sent"), default=False)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @property
    def actor_display_name(self) -> str | None:
        """Who took the step, for staff readers: the full name of someone acting for their
        unit (the subclass records ``actor_organisation``), a resident's masked."""
        actor = getattr(self, "actor", None)
        if actor is None:
            return None
        if getattr(self, "actor_organisation_id", None) is not None:
            return actor.display_name or actor.username
        return actor.masked_name
