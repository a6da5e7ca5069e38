"""The big screen (大屏): one full-screen page for the command centre's wall.

The page is drawn with every panel's data in it (``screen.gather``); its script then keeps
it live from the push streams of cases and sensing and re-reads the data from the API
(``api_screen``). ``?region=<code>`` or ``?grid=<code>`` picks the place to show.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from gongzhi.cases.choices import State
from gongzhi.core.errors import ServiceError

from .. import screen


def _texts() -> dict:
    return {
        "kinds": {
            "case.new": _("New report"),
            "case.step": _("Case step"),
            "alarm.raised": _("Sensor alarm"),
            "alarm.cleared": _("Alarm cleared"),
            "event.new": _("Video event"),
            "event.decided": _("Video event handled"),
            "camera.offline": _("Camera offline"),
            "device.offline": _("Sensor offline"),
        },
        "states": {value: str(label) for value, label in State.choices},
        "this_period": _("This month"),
        "previous": _("Previous period (环比)"),
        "last_year": _("Last year (同比)"),
        "none": _("Nothing to show"),
        "failed": _("Could not refresh the screen; retrying."),
        "truncated": _("only the newest %(n)s are shown"),
        "overdue": _("Overdue"),
        "urgent": _("Urgent"),
    }


@login_required
def screen_page(request):
    if not screen.may_open(request.user):
        raise PermissionDenied(_("The big screen is for leaders and the command centre's staff."))
    region_code = request.GET.get("region") or None
    grid_code = request.GET.get("grid") or None
    try:
        data = screen.gather(viewer=request.user, region_code=region_code, grid_code=grid_code)
    except ServiceError as error:
        # A region or grid outside the viewer's area: say so, and offer their own screen.
        return render(
            request, "command/screen/refused.html", {"message": error.message}, status=error.status
        )
    config = {
        "api": reverse("api:screen_data"),
        "screen": reverse("command:screen"),
        "layers": reverse("regions:layers") + "?max_grids=800",
        "region": region_code,
        "grid": grid_code,
        "texts": _texts(),
    }
    return render(
        request,
        "command/screen/screen.html",
        {
            "data": data,
            "config": config,
            "topics": screen.TOPICS,
        },
    )


urlpatterns = [path("screen/", screen_page, name="screen")]
