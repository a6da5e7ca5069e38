"""Consoles: the dispatcher's queue, a department's inbox, a grid worker's tasks, the case
page with its actions, the map of open cases, and the three rates."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def queue(request):
    return HttpResponse(status=501)


inbox = tasks = case_map = map_data = rates = queue


@login_required
def detail(request, number):
    return HttpResponse(status=501)


@login_required
def act(request, number, action):
    return HttpResponse(status=501)
