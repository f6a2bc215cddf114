"""A permit for road A's vehicle of the engine tests' two-roads world, signed by a fresh permit key."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.engine import Party
from corridor.ledger.crypto import public_bytes
from corridor.permits import issue, sign
from corridor.permits.trust import parse_permit_keys, trust_line
from tests.engine.world import World

ROOT = hashlib.sha256(b"a log root").digest()


def scheduled_world() -> World:
    world = World()
    world.state.parties["op"] = Party(id="op", name="Corridor service", kind="operator")
    return world.cleared_and_scheduled()


def road_a_permit(world: World | None = None, start: int | None = None, end: int | None = None):
    world = world or scheduled_world()
    plan = world.plan()
    due = next(d for d in issue.due_permits(plan) if d.leg == "leg-a")
    start = world.now if start is None else start
    return issue.build_permit(plan, world.state.routes["road-a"], due, issuer="op", plate="AB-1",
                              window=(start, start + 3600 if end is None else end), consents=(3, 4, 5, 6),
                              log=(42, ROOT), now=world.now)


def signed(permit, key: Ed25519PrivateKey | None = None) -> tuple[bytes, dict]:
    key = key or Ed25519PrivateKey.generate()
    return sign.sign_permit(permit, key), parse_permit_keys(trust_line(public_bytes(key), "op"))
