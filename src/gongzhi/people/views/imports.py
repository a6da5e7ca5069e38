"""Importing residents from Excel: the template, the upload (every row checked, nothing
written), the problems by row and column (on the page and as a workbook), and the confirmed
import (``imports.do_import``: all rows or none).

The uploaded file waits for the confirmation under VAR_DIR, named by its uploader and a
random key, so that nobody else can confirm or read it; it is removed once imported, and
left-over files after a day.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ServiceError

from .. import imports

MAX_UPLOAD = 50 * 1024 * 1024
SHOWN = 500  # problems listed on the page; the workbook lists them all
KEEP_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx), as the template."))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 50 MB: split it."))
        return upload


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "people-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(user, token: str) -> tuple[Path, Path]:
    if not TOKEN_RE.match(token or ""):
        raise Http404
    stem = _folder() / f"{user.pk}-{token}"
    return stem.with_suffix(".xlsx"), stem.with_suffix(".json")


def _sweep() -> None:
    """Uploads never confirmed go after a day."""
    limit = time.time() - KEEP_SECONDS
    for item in _folder().iterdir():
        if item.stat().st_mtime < limit:
            item.unlink(missing_ok=True)


def _allowed(request) -> None:
    if not imports.may_import(request.user):
        raise PermissionDenied


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=imports.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _render(request, *, form, report=None, problems=None, token="", filename="", status=200):
    problems = problems or []
    return render(
        request,
        "people/import.html",
        {
            "form": form,
            "report": report,
            "problems": problems[:SHOWN],
            "problem_count": len(problems),
            "more_problems": max(0, len(problems) - SHOWN),
            "token": token,
            "filename": filename,
            "columns": imports.COLUMNS,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload a workbook: it is checked, nothing is written; then the problems, or what
    would be imported and a button to import it."""
    _allowed(request)
    if request.method == "GET":
        return _render(request, form=UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form=form, status=400)
    _sweep()
    token = secrets.token_urlsafe(24)
    file_path, note_path = _paths(request.user, token)
    upload = form.cleaned_data["file"]
    with file_path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        plan = imports.check_import(file=str(file_path), actor=request.user)
    except ServiceError:
        file_path.unlink(missing_ok=True)
        raise
    report = plan.report
    problems = [p.as_dict() for p in report.problems]
    note_path.write_text(
        json.dumps({"filename": upload.name, "problems": problems}, ensure_ascii=False)
    )
    if problems:
        file_path.unlink(missing_ok=True)  # a refused file is not kept, only its problems
    return _render(
        request,
        form=UploadForm(),
        report=report,
        problems=problems,
        token=token,
        filename=upload.name,
    )


@login_required
@require_POST
def import_confirm(request, token: str):
    """Import the checked file: everything in one transaction, or nothing."""
    _allowed(request)
    file_path, note_path = _paths(request.user, token)
    if not file_path.exists():
        messages.error(request, _("That upload is no longer here: upload the file again."))
        return redirect("people:import")
    filename = json.loads(note_path.read_text()).get("filename", "") if note_path.exists() else ""
    try:
        report = imports.do_import(
            file=str(file_path), actor=request.user, request=request, filename=filename
        )
    except imports.ImportRefused as refused:
        # The register changed since the check (someone registered one of the numbers).
        file_path.unlink(missing_ok=True)
        problems = [p.as_dict() for p in refused.report.problems]
        note_path.write_text(
            json.dumps({"filename": filename, "problems": problems}, ensure_ascii=False)
        )
        return _render(
            request,
            form=UploadForm(),
            report=refused.report,
            problems=problems,
            token=token,
            filename=filename,
            status=409,
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("people:import")
    file_path.unlink(missing_ok=True)
    note_path.unlink(missing_ok=True)
    messages.success(
        request,
        _(
            "Imported %(residents)d residents in %(households)d new and %(matched)d existing "
            "households, %(houses)d new houses."
        )
        % {
            "residents": report.residents,
            "households": report.households_new,
            "matched": report.households_matched,
            "houses": report.houses_new,
        },
    )
    return redirect("people:import")


@login_required
@require_GET
def import_problems(request, token: str):
    """Every problem of a refused file, as a workbook."""
    _allowed(request)
    _file_path, note_path = _paths(request.user, token)
    if not note_path.exists():
        raise Http404
    problems = [imports.Problem(**p) for p in json.loads(note_path.read_text())["problems"]]
    name = f"{_('Import problems')}-{timezone.localdate():%Y%m%d}.xlsx"
    return _xlsx(imports.problems_workbook(problems), name)


@login_required
@require_GET
def import_template(request):
    _allowed(request)
    name = f"{_('Residents import template')}.xlsx"
    return _xlsx(imports.template_workbook(request.user), name)


urlpatterns = [
    path("import/", import_page, name="import"),
    path("import/template.xlsx", import_template, name="import_template"),
    path("import/<str:token>/confirm/", import_confirm, name="import_confirm"),
    path("import/<str:token>/problems.xlsx", import_problems, name="import_problems"),
]
