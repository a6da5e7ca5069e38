"""States and kinds of the sensing app."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.choices import ChoiceSet, Look


class EventState(ChoiceSet):
    """A video event waits for a duty officer, who confirms it (a case follows) or dismisses
    it as a false alarm with a reason."""

    NEW = "new", _("New"), Look("#dc2626", order=10)
    CONFIRMED = "confirmed", _("Confirmed"), Look("#059669", order=20)
    DISMISSED = "dismissed", _("Dismissed"), Look("#6b7280", order=30)


class DeviceState(ChoiceSet):
    NORMAL = "normal", _("Normal"), Look("#059669", order=10)
    ALARM = "alarm", _("In alarm"), Look("#dc2626", order=20)


class Comparison(ChoiceSet):
    """Which side of a device type's threshold is an alarm."""

    ABOVE = "above", _("Above the threshold")
    BELOW = "below", _("Below the threshold")
