"""The manifest template, for anyone to download (it holds headers only, nothing of any plan)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ..imports.template import manifest_csv, manifest_xlsx

FORMATS = {
    "xlsx": (manifest_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (manifest_csv, "text/csv; charset=utf-8"),
}


@require_GET
def download(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404("the template is an .xlsx or a .csv file")
    make, content_type = FORMATS[fmt]
    response = HttpResponse(make(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"corridor-manifest-template.{fmt}")
    return response
