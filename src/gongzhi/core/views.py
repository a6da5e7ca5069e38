from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's): the app icon.
    return redirect(static("gongzhi/icons/icon-192.png"))
