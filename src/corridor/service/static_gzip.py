"""Static files gzipped on their way out, to browsers that accept it.

The vendored scripts and maps a page loads are ~1 MB (jsQR, Chart.js, Leaflet, the basemap); gzipped, about a
third of that, which matters on a field office's satellite or 2G link. WhiteNoise compresses only at
`collectstatic` time, into files beside the originals (with brotli, ~30 s for the 18 MB of this project's,
the admin's and the API docs' files), and the service serves straight from the apps' folders with no such step
(settings.py). So Django's own GZipMiddleware compresses them as they are sent, and only them: static files
hold no secret, so compressing them gives a BREACH-style attack nothing to read (pages and API answers are left
as they are), and only text that compresses (not PNGs, not a partial Range answer).
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/manifest+json", "image/svg+xml")


class StaticGZipMiddleware(GZipMiddleware):
    def process_request(self, request):
        """A browser revalidates a gzipped file with the weak ETag it was sent (W/"…": GZipMiddleware weakens
        the file's, the bytes differ); If-None-Match compares weakly (RFC 9110, 13.1.2), WhiteNoise only as
        written: strip the W/ so an unchanged file answers 304 again, not the whole file."""
        tags = request.META.get("HTTP_IF_NONE_MATCH")
        if tags and "W/" in tags and request.path.startswith(_static_prefix()):
            request.META["HTTP_IF_NONE_MATCH"] = ", ".join(tag.strip().removeprefix("W/") for tag in tags.split(","))

    def process_response(self, request, response):
        if (request.path.startswith(_static_prefix()) and response.status_code == 200
                and response.get("Content-Type", "").startswith(COMPRESSIBLE)):
            return super().process_response(request, response)
        return response


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.lstrip("/")
