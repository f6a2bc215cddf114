"""A body shorter than its Content-Length is refused when read (service/request_body.py); a whole one reads as
before, however the server hands it over (short reads, one byte at a time)."""

from __future__ import annotations

import io

import pytest

from corridor.service.request_body import BodyCutShort, DeclaredLength, WholeBodies


class Trickle(io.BytesIO):
    """A WSGI input that answers at most `step` bytes a read, as a server's socket-backed stream may."""

    def __init__(self, data: bytes, step: int) -> None:
        super().__init__(data)
        self.step = step

    def read(self, size: int | None = -1) -> bytes:
        return super().read(self.step if size is None or size < 0 else min(size, self.step))


@pytest.mark.parametrize("step", [1, 7, 1 << 20])
def test_a_whole_body_reads_whole_however_it_trickles_in(step):
    body = DeclaredLength(Trickle(b"x" * 100, step), 100)
    assert body.read() == b"x" * 100
    assert body.read() == b""


def test_reads_stop_at_the_declared_length_whatever_follows():
    body = DeclaredLength(io.BytesIO(b"abcdefGET /next HTTP/1.1"), 6)
    assert [body.read(4), body.read(4), body.read(4)] == [b"abcd", b"ef", b""]


def test_a_body_cut_short_is_refused_rather_than_read_as_whole():
    body = DeclaredLength(Trickle(b'{"title": "pass at dawn"}', 5), 60)
    with pytest.raises(BodyCutShort, match="ended after 25 of the 60 bytes"):
        body.read()


def test_a_body_cut_short_is_refused_by_readline_too():
    body = DeclaredLength(io.BytesIO(b"line\n"), 10)
    assert body.readline() == b"line\n"
    with pytest.raises(BodyCutShort, match="ended after 5 of the 10 bytes"):
        body.readline()


@pytest.mark.parametrize("length, wrapped", [("12", True), ("0", False), ("", False), ("-1", False), ("x", False)])
def test_only_a_body_with_a_declared_length_is_wrapped(length, wrapped):
    seen = {}

    def application(environ, start_response):
        seen["input"] = environ["wsgi.input"]
        return [b""]

    raw = io.BytesIO(b"")
    WholeBodies(application)({"CONTENT_LENGTH": length, "wsgi.input": raw}, None)
    assert isinstance(seen["input"], DeclaredLength) is wrapped
