"""Choice sets shared by the legal rooms (each room keeps its own in ``<room>/choices.py``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PointLevel(models.TextChoices):
    """The three tiers of 公共法律服务 in a county: centre, station, room."""

    CENTRE = "centre", _("County public legal service centre")
    STATION = "station", _("Township public legal service station")
    ROOM = "room", _("Village public legal service room")


class Service(models.TextChoices):
    """What a service point offers (a point lists the codes it offers)."""

    LEGAL_AID = "legal_aid", _("Legal aid")
    ADVICE = "advice", _("Legal advice")
    NOTARY = "notary", _("Notary guidance")
    MEDIATION = "mediation", _("People's mediation")
    OUTREACH = "outreach", _("Law popularisation")
