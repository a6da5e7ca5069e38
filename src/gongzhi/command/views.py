from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import services


@login_required
def home(request):
    return render(request, "command/home.html", services.overview(viewer=request.user))
