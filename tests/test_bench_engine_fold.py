"""bench/engine_fold.py's --digest: the SHA-256 of the state its fold ends in, so that two engines can be held to
the same fold of the same generated file (issue 12)."""

import hashlib

from bench.engine_fold import fold, generate, registry

from corridor.engine import State, apply, to_json
from corridor.engine.statements import parse_statement_json


def test_the_digest_is_that_of_the_state_the_statements_fold_into(tmp_path):
    path = tmp_path / "statements.jsonl"
    count = generate(40, path)
    result = fold(path, digest=True)
    parties, routes = registry()
    state = State.with_registry(parties, routes)
    for line in path.read_bytes().splitlines():
        apply(state, parse_statement_json(line))
    assert result["statements"] == count and len(state.plans) == 40
    assert result["state_sha256"] == hashlib.sha256(to_json(state)).hexdigest()
    assert "state_sha256" not in fold(path)


def test_a_fold_that_packs_its_closed_plans_ends_in_the_same_state(tmp_path):
    """--pack N: the plans held as `corridor rebuild` holds them (packed_plans.py), to the same final state."""
    path = tmp_path / "statements.jsonl"
    generate(40, path)
    plain = fold(path, digest=True)
    packed = fold(path, digest=True, pack=25)
    assert packed["state_sha256"] == plain["state_sha256"] and packed["statuses"] == plain["statuses"]
    assert packed["pack"] == 25 and plain["pack"] == 0
