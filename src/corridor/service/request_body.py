"""A request body shorter than its Content-Length is refused, never read as if it were whole.

A client whose connection ends part-way through the body (a phone losing coverage mid-form, a client that
closes its sending side) leaves the server with fewer bytes than the request declared. Neither granian nor
gunicorn says so: the WSGI input simply ends, Django reads what arrived as the whole body, and a JSON object
or a form whose last field was cut short (a reason, a title) would be recorded as sent. So the WSGI
application (wsgi.py) reads bodies through `WholeBodies`: when the input ends before the declared length,
reading it raises `BodyCutShort`, a BadRequest, which Django answers 400 and the API answers
`request.malformed` (api/errors.py): nothing is recorded. Ours because Django's own `LimitedStream` caps a
read at the length but returns what arrived without a word, and werkzeug's, which raises, is not a
dependency of this project (nor worth one for 30 lines).

What this does not do: bound how long a client may take to send its body. A client that stops sending but
keeps its connection open holds one of the application's threads until it closes (granian, like gunicorn,
has no body timeout); docs/operations.md ("Request bodies") says why the proxy in front must buffer bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import BadRequest


class BodyCutShort(BadRequest):
    """The connection ended before the body's declared length arrived."""


class WholeBodies:
    """WSGI middleware: a body with a Content-Length is read through `DeclaredLength`."""

    def __init__(self, application: Callable[[dict, Callable], Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        length = declared_length(environ)
        if length:
            environ["wsgi.input"] = DeclaredLength(environ["wsgi.input"], length)
        return self.application(environ, start_response)


def declared_length(environ: dict) -> int:
    """The body's Content-Length; 0 when there is none or it is not a number (Django treats those as empty)."""
    try:
        return max(int(environ.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class DeclaredLength:
    """The WSGI input, read no further than `length` bytes, raising `BodyCutShort` if it ends before them."""

    def __init__(self, stream, length: int) -> None:
        self.stream, self.left, self.length = stream, length, length

    def read(self, size: int | None = -1) -> bytes:
        wanted = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.read(wanted) if wanted else b""
        while 0 < len(data) < wanted:  # a stream may answer short before its end: only empty means ended
            more = self.stream.read(wanted - len(data))
            if not more:
                break
            data += more
        self.left -= len(data)
        if len(data) < wanted:
            raise self._cut_short()
        return data

    def readline(self, size: int | None = -1) -> bytes:
        """Lines are read whole, as `read` reads: Django reads bodies with `read`, this is for completeness."""
        wanted = self.left if size is None or size < 0 else min(size, self.left)
        line = self.stream.readline(wanted) if wanted else b""
        self.left -= len(line)
        if wanted and not line:
            raise self._cut_short()
        return line

    def _cut_short(self) -> BodyCutShort:
        return BodyCutShort(f"the request body ended after {self.length - self.left:,} of the {self.length:,} "
                            "bytes its Content-Length declared: nothing was recorded")
