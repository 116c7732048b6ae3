"""The bulk property import: upload → preview → confirm → progress → report.

How the job is kept and driven (cache, steps, locking) is explained in import_jobs.py.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from relaydash.accounts.permissions import Action, require
from relaydash.directory import import_jobs, importing
from relaydash.directory.exports import csv_response, delimiter_from
from relaydash.directory.forms import ImportUploadForm
from relaydash.directory.selectors import page_of
from relaydash.directory.views import not_found
from relaydash.relay.client import get_client
from relaydash.relay.errors import RelayError
from relaydash.web import HtmxHttpRequest, page_or_partial

IMPORT_NOT_FOUND = _(
    "This import is no longer available (imports are kept for 6 hours). Upload the file again."
)
IMPORT_NOTHING_TO_SEND = _(
    "No row of this file can be imported. Fix the rows marked below and upload it again."
)
IMPORT_STOPPED_NOTE = _("The import was stopped. Rows not sent yet are marked in the report.")
NEW_IMPORT = _("Start a new import")
ROWS_PER_PAGE = 100
_SESSION_KEY = "directory_import"


def _user_id(request: HtmxHttpRequest) -> int:
    """Jobs belong to the person who uploaded the file (login is required everywhere)."""
    return int(request.user.pk or 0)


def _gone(request: HtmxHttpRequest) -> TemplateResponse:
    return not_found(
        request,
        str(IMPORT_NOT_FOUND),
        back_url=reverse("directory:property_import"),
        back_label=str(NEW_IMPORT),
    )


def _job_url(job: import_jobs.ImportJob) -> str:
    return reverse("directory:property_import_job", args=[job.token])


@require_http_methods(["GET", "POST"])
@require(Action.DIRECTORY_WRITE)
def property_import(request: HtmxHttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX file; it is read and checked, then shown for confirmation."""
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ImportUploadForm(data, files)
    last = request.session.get(_SESSION_KEY)
    last_job = import_jobs.load_job(last, user_id=_user_id(request)) if isinstance(last, str) else None
    context: dict[str, Any] = {
        "form": form,
        "last_job": last_job,
        "columns": importing.API_COLUMNS,
        "aliases": importing.HEADER_ALIASES,
        "max_rows": importing.MAX_ROWS,
        "batch_size": import_jobs.BATCH_SIZE,
    }
    if data is None:
        return TemplateResponse(request, "directory/property_import.html", context)
    if not form.is_valid():
        return TemplateResponse(request, "directory/property_import.html", context, status=422)
    upload = form.cleaned_data["file"]
    known: set[int] | None
    try:
        known = {c.id for c in get_client().get_customers() if c.id is not None}
    except RelayError:
        known = None  # the preview says customer ids were not checked
    try:
        parsed = importing.parse_import(upload.read(), upload.name or "", known_customer_ids=known)
    except importing.ImportFileError as error:
        form.add_error("file", str(error))
        return TemplateResponse(request, "directory/property_import.html", context, status=422)
    job = import_jobs.create_job(
        parsed=parsed,
        file_name=upload.name or "import",
        user_id=_user_id(request),
        customers_checked=known is not None,
    )
    request.session[_SESSION_KEY] = job.token
    return HttpResponseRedirect(_job_url(job))


@require_GET
@require(Action.DIRECTORY_WRITE)
def import_template(request: HtmxHttpRequest, file_format: str) -> HttpResponse:
    """The template: relay's column names and one example row, as CSV or XLSX."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    if file_format == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("properties")
        sheet.append(list(importing.API_COLUMNS))
        sheet.append([importing.TEMPLATE_EXAMPLE[c] for c in importing.API_COLUMNS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="property-import-template.xlsx"'
        return response
    delimiter = delimiter_from(request, default=";")
    return csv_response(importing.template_csv(delimiter=delimiter), filename="property-import-template.csv")


@require_GET
@require(Action.DIRECTORY_WRITE)
def import_job(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The import's page: preview before confirming, progress while sending, the report
    afterwards. `?show=problems` lists only rows with errors; `page` pages the rows."""
    job = import_jobs.load_job(token, user_id=_user_id(request))
    if job is None:
        return _gone(request)
    only_problems = request.GET.get("show") == "problems"
    raw = request.GET.get("page", "1")
    rows = import_jobs.select_rows(job, only_problems=only_problems)
    page = page_of(rows, number=int(raw) if raw.isdigit() else 1, per_page=ROWS_PER_PAGE)
    base = _job_url(job)
    show = "&show=problems" if only_problems else ""
    context = {
        "job": job,
        "page": page,
        "only_problems": only_problems,
        "previous_url": f"{base}?page={page.previous_number}{show}",
        "next_url": f"{base}?page={page.next_number}{show}",
        "all_url": base,
        "problems_url": f"{base}?show=problems",
    }
    return page_or_partial(request, "directory/import_job.html", "rows", context)


@require_POST
@require(Action.DIRECTORY_WRITE)
def import_confirm(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Start sending the previewed rows. Confirming twice does not send twice."""
    job = import_jobs.load_job(token, user_id=_user_id(request))
    if job is None:
        return _gone(request)
    if job.state == "preview" and job.valid == 0:
        messages.error(request, IMPORT_NOTHING_TO_SEND)
        return HttpResponseRedirect(_job_url(job))
    try:
        import_jobs.start_job(job)
    except import_jobs.ImportExpired:
        return _gone(request)
    return HttpResponseRedirect(_job_url(job))


@require_POST
@require(Action.DIRECTORY_WRITE)
def import_step(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Send the next batches (about a second's worth for htmx, more for the no-script
    "Continue" button) and answer with the progress, or the report once done."""
    seconds = import_jobs.STEP_SECONDS_HTMX if request.htmx else import_jobs.STEP_SECONDS_PLAIN
    job = import_jobs.run_step(
        client=get_client(),
        actor=request.user,
        token=token,
        user_id=_user_id(request),
        casavi_account_id=settings.RELAY_CASAVI_ACCOUNT_ID,
        seconds=seconds,
        resume=request.POST.get("resume") == "1",
    )
    if job is None:
        if request.htmx:
            return HttpResponseClientRedirect(reverse("directory:property_import"))
        return _gone(request)
    if not request.htmx:
        return HttpResponseRedirect(_job_url(job))
    if job.state in ("done", "halted"):
        return HttpResponseClientRedirect(_job_url(job))
    return page_or_partial(request, "directory/import_job.html", "progress", {"job": job})


@require_POST
@require(Action.DIRECTORY_WRITE)
def import_stop(request: HtmxHttpRequest, token: str) -> HttpResponse:
    job = import_jobs.stop_job(token=token, user_id=_user_id(request))
    if job is None:
        return _gone(request)
    messages.info(request, IMPORT_STOPPED_NOTE)
    url = _job_url(job)
    return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)


@require_GET
@require(Action.DIRECTORY_WRITE)
def import_report(request: HtmxHttpRequest, token: str, kind: str) -> HttpResponse:
    """The report (row, id, name, outcome, message) or the rows with relay's ids, as CSV."""
    if kind not in ("report", "rows"):
        raise Http404
    job = import_jobs.load_job(token, user_id=_user_id(request))
    if job is None:
        return _gone(request)
    delimiter = delimiter_from(request, default=";")
    stem = job.file_name.rsplit(".", 1)[0][:80] or "import"
    if kind == "rows":
        return csv_response(
            import_jobs.rows_with_ids_csv(job, delimiter=delimiter), filename=f"{stem}-with-ids.csv"
        )
    return csv_response(import_jobs.report_csv(job, delimiter=delimiter), filename=f"{stem}-report.csv")
