"""Every answer under /api/v1 that is not a success is `{"code", "message"}` JSON with its HTTP status.

Two layers, so no path can answer an HTML page or a traceback:
- inside the API, `install(api)` maps every exception django-ninja sees (our refusals, its parameter
  validation, oversized bodies, JSON nested too deep, and anything unexpected, logged) to that shape;
- around it, `ApiErrorsMiddleware` rewrites whatever error Django itself answers for the prefix (an unknown
  path, a method the path does not take, a failure in another middleware) into the same shape.
The codes are listed in docs/api.md ("Errors").
"""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError

from ..config import CONFIG
from ..ledger.record import Refused

PREFIX = "/api/v1/"
logger = logging.getLogger("corridor.api")

# the code answered for an error status that Django or django-ninja produced without one of ours
CODE_OF_STATUS = {
    400: ("request.malformed", "the request could not be read"),
    401: ("auth.required", "sign in with an API token"),
    403: ("auth.forbidden", "you may not do this"),
    404: ("path.unknown", "there is no such API path"),
    405: ("method.not_allowed", "this API path does not take that method"),
    413: ("upload.too_large", f"the request is larger than {CONFIG.max_upload_bytes:,} bytes"),
    500: ("server.error", "the service failed to answer; the failure was logged"),
}


class Error(Schema):
    """A refusal: a stable code, a message for people and, for manifests, the errors of each row."""

    code: str
    message: str
    errors: list[dict] | None = None


def error_body(code: str, message: str, details: list | None = None) -> dict:
    body = {"code": code, "message": message}
    if details:
        body["errors"] = details
    return body


def install(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, code: str, message: str, status: int, details: list | None = None):
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(Refused)
    def refused(request, error: Refused):
        return answer(request, error.code, error.message, error.status, error.details)

    @api.exception_handler(ValidationError)
    def invalid_parameters(request, error: ValidationError):
        return answer(request, *_invalid(error.errors), 400)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, error: RequestDataTooBig):
        return answer(request, *CODE_OF_STATUS[413], 413)

    def unreadable(request, error: Exception):
        return answer(request, CODE_OF_STATUS[400][0], f"the request could not be read: {error}", 400)

    for kind in (BadRequest, SuspiciousOperation, MultiPartParserError):  # e.g. multipart without a boundary
        api.add_exception_handler(kind, unreadable)

    @api.exception_handler(RecursionError)
    def too_deep(request, error: RecursionError):
        return answer(request, "json.malformed", "the request body is nested too deeply", 400)

    @api.exception_handler(Http404)
    def not_found(request, error: Http404):
        return answer(request, *CODE_OF_STATUS[404], 404)

    @api.exception_handler(HttpError)
    def http_error(request, error: HttpError):
        code, _ = CODE_OF_STATUS.get(error.status_code, CODE_OF_STATUS[400])
        return answer(request, code, str(error), error.status_code)

    @api.exception_handler(Exception)
    def unexpected(request, error: Exception):
        logger.exception("unexpected failure on %s %s", request.method, request.path)
        return answer(request, *CODE_OF_STATUS[500], 500)


def _invalid(errors: list[dict]) -> tuple[str, str]:
    """django-ninja's parameter errors as one code and a readable message ("page: ...")."""
    where = {str(error.get("loc", ("",))[0]) for error in errors}
    code = "query.invalid" if where <= {"query"} else "request.invalid"
    message = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'body'}: {e.get('msg', 'invalid')}"
                        for e in errors[:5])
    return code, message


class ApiErrorsMiddleware:
    """Outermost: an error answer under the API prefix that is not already JSON becomes `{"code", "message"}`."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PREFIX) and _chunked(request):
            # WSGI gives Django no length for a chunked body, so it would read as empty: refuse it plainly
            return JsonResponse(error_body("length.required", "send the body with a Content-Length (not chunked)"),
                                status=411)
        response = self.get_response(request)
        if request.path.startswith(PREFIX) and response.status_code >= 400 and not _is_json(response):
            return _as_json(response)
        return response


def _chunked(request: HttpRequest) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get(
        "CONTENT_LENGTH")


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _as_json(response: HttpResponse) -> JsonResponse:
    status = response.status_code
    code, message = CODE_OF_STATUS.get(status, CODE_OF_STATUS[500 if status >= 500 else 400])
    replaced = JsonResponse(error_body(code, message), status=status)
    for header, value in response.items():  # Allow, and the security headers set further in (CSP, nosniff, ...)
        if header.lower() not in ("content-type", "content-length"):
            replaced[header] = value
    return replaced


