from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Region


@login_required
def region_index(request):
    regions = Region.objects.visible_to(request.user).filter(level__in=["city", "county"])
    return render(request, "regions/index.html", {"regions": regions})
