"""Intake pages: 随手拍 for residents and grid workers, the hotline form, public tracking."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def quick_report(request):
    return HttpResponse(status=501)


hotline = nearby = category_search = quick_report


def track(request, number):
    return HttpResponse(status=501)
