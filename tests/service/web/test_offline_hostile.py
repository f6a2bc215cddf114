"""A hostile officer (or caller) against `POST /checkpoint-app/submit`: what the existing tests do not try."""

from __future__ import annotations

import pytest

from corridor.service.ledger.models import LogEntry

from .test_offline_submit import ARRIVAL, ARRIVED, INSPECTION, Officer, border, customs, scheduled  # noqa: F401

pytestmark = pytest.mark.django_db


def _size() -> int:
    return LogEntry.objects.count()


def test_deeply_nested_json_is_refused_as_malformed_not_a_server_error(border):  # noqa: F811
    size = _size()
    status, answer = border.send(None, raw=b"[" * 30000 + b"]" * 30000)  # deeper than Python's recursion limit
    assert (status, answer["code"]) == (400, "offline.malformed")
    assert _size() == size


def test_a_body_larger_than_a_log_entry_is_refused_unread(border):  # noqa: F811
    body = border.sign("leg.arrive", ARRIVAL, ARRIVED)
    size = _size()
    status, answer = border.send(None, raw=b'{"statement": {}, "assertion": {}, "pad": "' + b"x" * 70000 + b'"}')
    assert (status, answer["code"]) == (413, "entry.too_large")
    assert _size() == size
    assert border.send(body)[0] == 201  # a statement of the usual size still goes through


@pytest.mark.parametrize("time", ["yesterday", 12, None, "2023-09-11T12:05:00+05:00", "9999-12-31T23:59:59Z"])
def test_a_time_that_is_not_the_logs_format_is_refused_and_records_nothing(border, time):  # noqa: F811
    body = border.sign("leg.arrive", ARRIVAL, ARRIVED)
    body["statement"]["time"] = time
    size = _size()
    status, answer = border.send(body)
    assert 400 <= status < 500 and answer["code"], answer
    assert _size() == size


@pytest.mark.parametrize("payload", [[], "x", {"leg": ["leg-a"], "checkpoint": "lachin-checkpoint"},
                                     {"leg": "leg-a", "checkpoint": {"a": 1}}])
def test_a_malformed_payload_is_refused_and_records_nothing(border, payload):  # noqa: F811
    body = border.sign("leg.arrive", payload, ARRIVED)
    size = _size()
    status, answer = border.send(body)
    assert 400 <= status < 500 and answer["code"], answer
    assert _size() == size


def test_an_inspection_by_a_party_that_does_not_inspect_there_writes_nothing_on_the_log(scheduled):  # noqa: F811
    """Receiving security takes part in p1 but inspects nowhere on road A. Not "late": a route's roles do not
    change while a device is offline. Before, it was recorded on the public log as late.refused evidence."""
    officer = Officer("recv-officer", "recv")
    size = _size()
    answered, answer = officer.send(officer.sign("leg.inspect", INSPECTION, ARRIVED))
    assert (answered, answer.get("code")) == (403, "party.wrong_capacity"), answer
    assert _size() == size


def test_an_arrival_at_a_checkpoint_the_route_does_not_have_writes_nothing_on_the_log(border):  # noqa: F811
    size = _size()
    answered, answer = border.send(border.sign("leg.arrive", {"leg": "leg-a", "checkpoint": "nowhere"}, ARRIVED))
    assert (answered, answer.get("code")) == (422, "checkpoint.unknown"), answer
    assert _size() == size


def test_a_party_that_takes_no_part_in_the_plan_writes_nothing_on_its_log(scheduled):  # noqa: F811
    """org-b, a humanitarian party registered on the log, has nothing to do with p1."""
    stranger = Officer("stranger-officer", "org-b")
    size = _size()
    answered, answer = stranger.send(stranger.sign("leg.arrive", ARRIVAL, ARRIVED))
    assert (answered, answer.get("code")) == (403, "party.not_required"), answer
    assert _size() == size


def test_an_oversized_body_is_refused_in_json(border):  # noqa: F811
    body = border.sign("leg.arrive", ARRIVAL, ARRIVED)
    body["statement"]["payload"]["note"] = "x" * 3_000_000
    size = _size()
    status, answer = border.send(body)
    assert 400 <= status < 500 and answer["code"], answer
    assert _size() == size
