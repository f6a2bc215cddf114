"""corridor.privacy: clear requests become commitments to sign plus the private part to keep."""

from __future__ import annotations

import pytest

from corridor.ledger.commitments import commit, plate_value, verify_reveal, window_value
from corridor.privacy import PrivacyError, commit_plan, commit_window, reveal_payload


def test_commit_matches_the_construction_salt_then_canonical_json():
    import hashlib

    salt, commitment = commit({"plate": "AB 123"}, "00" * 16)
    assert commitment == hashlib.sha256(bytes(16) + b'{"plate":"AB 123"}').hexdigest()
    assert verify_reveal({"plate": "AB 123"}, salt, commitment)
    assert not verify_reveal({"plate": "AB 124"}, salt, commitment)
    assert not verify_reveal({"plate": "AB 123"}, "not hex", commitment)
    assert len(commit({"plate": "x"})[0]) == 32  # 16 random bytes


def test_a_plan_is_signed_with_commitments_and_its_clear_values_kept_aside():
    content = {"legs": [{"id": "leg-a", "vehicles": [{"id": "v1", "plate": "AB 123", "type": "truck"}]}]}
    signed, private = commit_plan(content, {"leg-a": [{"name": "A. Driver", "document": "P-1"}]})
    assert content["legs"][0]["vehicles"][0]["plate"] == "AB 123"  # the request is not changed
    [plate] = private.plates
    assert signed["legs"][0]["vehicles"][0]["plate"] == plate["commitment"]
    assert verify_reveal(plate_value("AB 123"), plate["salt"], plate["commitment"])
    assert signed["legs"][0]["crew"] == [private.crew["leg-a"][0]["commitment"]]
    again, nothing = commit_plan(signed)  # already committed: passes unchanged
    assert again == signed and not nothing


def test_a_window_is_signed_as_its_commitment():
    signed, private = commit_window({"slot": "s1", "start": "2023-09-18T07:00:00Z", "end": "2023-09-18T08:00:00Z"})
    assert set(signed) == {"slot", "window"}
    assert verify_reveal(window_value("2023-09-18T07:00:00Z", "2023-09-18T08:00:00Z"), private.window["salt"],
                         signed["window"])
    assert reveal_payload(private.window, [])["window"]["slot"] == "s1"
    with pytest.raises(PrivacyError) as refused:
        commit_window({"slot": "s1", "start": "2023-09-18T08:00:00Z", "end": "2023-09-18T07:00:00Z"})
    assert refused.value.code == "slot.invalid"


def test_a_member_naming_a_vehicle_is_signed_as_a_seat_the_vehicle_beside_the_commitment():
    content = {"legs": [{"id": "leg-a", "vehicles": [{"id": "v1", "plate": "AB 123", "type": "truck"}]}]}
    signed, private = commit_plan(content, {"leg-a": [{"name": "A. Driver", "document": "P-1", "vehicle": "v1"},
                                                      {"name": "B. Mate", "document": "P-2", "vehicle": ""}]})
    driver, mate = private.crew["leg-a"]
    assert signed["legs"][0]["crew"] == [{"commitment": driver["commitment"], "vehicle": "v1"}, mate["commitment"]]
    assert set(driver) == {"name", "document", "salt", "commitment"}  # the vehicle is public: on the log only
    with pytest.raises(PrivacyError) as refused:
        commit_plan(content, {"leg-a": [{"name": "A. Driver", "document": "P-1", "vehicle": 1}]})
    assert refused.value.code == "crew.invalid"


def test_a_scenario_seats_its_crew_and_leaves_committed_seats_as_they_are():
    from corridor.scenario.runner import Secrets

    vehicles = [{"id": "v1", "plate": "AB 123", "type": "truck"}]
    clear = {"legs": [{"id": "leg-a", "vehicles": vehicles,
                       "crew": [{"name": "A. Driver", "document": "P-1", "vehicle": "v1"}]}]}
    signed = Secrets().commit("plan.submit", "p1", clear)
    [seat] = signed["legs"][0]["crew"]
    assert seat["vehicle"] == "v1" and len(seat["commitment"]) == 64 and "A. Driver" not in str(signed)
    again = Secrets().commit("plan.amend", "p1", signed)  # already committed: signed as it is
    assert again["legs"][0]["crew"] == [seat]
