from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from gongzhi.accounts.models import Role
from gongzhi.core.scope import scope_for

from .. import services


@login_required
def home(request):
    scope = scope_for(request.user)
    if not scope.everything and scope.roles <= {Role.RESIDENT}:
        # Residents have no overview to see: their start page is reporting a problem.
        return redirect("cases:report")
    return render(request, "command/home.html", services.overview(viewer=request.user))
