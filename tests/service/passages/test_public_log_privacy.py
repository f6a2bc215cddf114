"""Issue 9: the public log must not publish what must stay private. The two-roads example goes through
the API; before its passages complete, every log entry (/log/entry/{i}) and every tile file the service
wrote (checkpoints, hash tiles and entry bundles, full and partial) is read as a public reader would:
no movement window (in any format), no plate, no crew name or document appears. After completion the
requester's reveal is on the log and opens the commitments, checked with the pure commitments module
alone, as an outsider would."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from corridor.engine.times import parse_time
from corridor.ledger.commitments import plate_value, verify_reveal, window_value
from corridor.scenario.loader import load_scenario
from corridor.service import clock
from corridor.service.ledger.integrator import integrate_now

from ..api_driver import endpoint
from ..conftest import SCENARIO

pytestmark = pytest.mark.django_db
STATEMENTS = load_scenario(SCENARIO).statements
# the deliveries that complete the two plans are held back until the privacy of the log is checked
COMPLETING = {(s.plan, s.line) for s in STATEMENTS if s.do == "leg.deliver"} - {
    (s.plan, s.line) for s in STATEMENTS if s.do == "leg.deliver" and s.payload.get("leg") == "leg-a"}
WINDOWS = [(s.plan, s.payload["start"], s.payload["end"]) for s in STATEMENTS if s.do == "slot.propose"]
PLATES = {v["plate"] for s in STATEMENTS if s.do == "plan.submit" for leg in s.payload["legs"] for v in leg["vehicles"]}
CREW = {value for s in STATEMENTS if s.do == "plan.submit" for leg in s.payload["legs"]
        for member in leg.get("crew", []) for value in (member["name"], member["document"])}
STATEMENT_TIME = re.compile(rb'"time":"[^"]*"')


def forbidden() -> dict[str, bytes]:
    """Every spelling of the private values a reader could search for."""
    values = {plate: plate.encode() for plate in PLATES} | {person: person.encode() for person in CREW}
    for _, *times in WINDOWS:
        for text in times:
            moment = parse_time(text)
            as_datetime = datetime.fromtimestamp(moment, UTC)
            for spelling in (text, text[:-1], text.replace("T", " ")[:-1], text[:16], text.replace("T", " ")[:16],
                             as_datetime.isoformat(), str(moment), str(moment * 1000)):
                values[spelling] = spelling.encode()
    return values


def post(parties, item, at: int = 0) -> None:
    body = dict(item.payload)
    if body.get("version") == "current":
        body["version"] = parties[item.by].get(f"/plans/{item.plan}")[1]["version"]
    path, body = endpoint(item.do, item.plan, body)
    with clock.frozen_at(max(parse_time(item.at), at)):
        status, answer = parties[item.by].post(path, body)
    assert status == 201, (item.line, answer)


def leaks(data: bytes) -> list[str]:
    """Private values in `data`. A statement's own `time` is when a party acted, public by design (the go
    of truck-b is signed at the minute its window opens), so those fields are left out of the search."""
    data = STATEMENT_TIME.sub(b"", data)
    return sorted(name for name, value in forbidden().items() if value in data)


def public_entries(client) -> list[bytes]:
    entries, index = [], 0
    while (response := client.get(f"/log/entry/{index}")).status_code == 200:
        entries.append(response.content)
        index += 1
    return entries


def test_the_public_log_shows_no_window_plate_or_crew_before_completion_and_verifies_the_reveal_after(
        parties, public, tiles):
    held_back = []
    for item in STATEMENTS:
        if (item.plan, item.line) in COMPLETING or item.do == "plan.reveal":
            held_back.append(item)
            continue
        post(parties, item)
        integrate_now()  # publish after every statement: every partial tile width is written once
    entries = public_entries(public)
    assert len(entries) > 40
    for index, entry in enumerate(entries):
        assert leaks(entry) == [], f"/log/entry/{index}"
    files = [path for path in tiles.rglob("*") if path.is_file()]
    assert any(part.endswith(".p") for path in files for part in path.parts)  # partial tiles and bundles
    assert any("entries" in path.parts for path in files)
    for path in files:
        assert leaks(path.read_bytes()) == [], path.relative_to(tiles)

    last = max(parse_time(item.at) for item in STATEMENTS)
    for item in held_back:
        if item.do != "plan.reveal":  # the service reveals when each plan closes
            post(parties, item, at=last)
    integrate_now()
    check_reveals_as_an_outsider([json.loads(entry)["statement"] for entry in public_entries(public)])


def check_reveals_as_an_outsider(statements: list[dict]) -> None:
    """From the log alone: each plan's reveal opens its slot's window and its vehicles' plates."""
    for plan, start, end in WINDOWS:
        mine = [s for s in statements if s.get("plan") == plan]
        proposed = [s["payload"] for s in mine if s["type"] == "slot.propose"][-1]
        content = [s["payload"] for s in mine if s["type"] in ("plan.submit", "plan.amend")][-1]
        [reveal] = [s for s in mine if s["type"] == "plan.reveal"]
        window = reveal["payload"]["window"]
        assert (window["slot"], window["start"], window["end"]) == (proposed["slot"], start, end)
        assert verify_reveal(window_value(start, end), window["salt"], proposed["window"])
        committed = {(leg["id"], v["id"]): v["plate"] for leg in content["legs"] for v in leg["vehicles"]}
        revealed = {(p["leg"], p["vehicle"]): p for p in reveal["payload"]["plates"]}
        assert revealed.keys() == committed.keys()
        for key, plate in revealed.items():
            assert plate["plate"] in PLATES
            assert verify_reveal(plate_value(plate["plate"]), plate["salt"], committed[key])
        assert reveal["party"] == next(s for s in mine if s["type"] == "plan.submit")["party"]
