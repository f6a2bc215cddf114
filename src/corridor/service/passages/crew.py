"""Crew privacy: the log carries a salted commitment per crew member, never the person.

commitment = SHA-256(salt || canonical JSON of {"document", "name"}), hex. The clear values and the salt
stay in the access-controlled `crew_member` table; revealing both lets anyone check them against the log.
"""

from __future__ import annotations

import hashlib
import secrets

from ...ledger.envelope import canonical_json
from ..ledger.record import Refused


def commit(name: str, document: str, salt: str | None = None) -> dict[str, str]:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.sha256(bytes.fromhex(salt) + canonical_json({"document": document, "name": name})).hexdigest()
    return {"name": name, "document": document, "salt": salt, "commitment": digest}


def replace_crew(content: dict, crew: object) -> tuple[dict, dict]:
    """Swap clear crew ({leg id: [{"name", "document"}]}) for commitments in the plan content; returns the
    content to sign and the private part to keep."""
    if crew is None:
        return content, {}
    if not isinstance(crew, dict):
        raise Refused("crew.invalid", "crew is an object: {leg id: [{\"name\": ..., \"document\": ...}]}")
    given = content.get("legs")  # not yet checked by the engine: any JSON at all
    legs = {leg["id"]: leg for leg in (given if isinstance(given, list) else [])
            if isinstance(leg, dict) and isinstance(leg.get("id"), str)}
    private = {}
    for leg_id, members in crew.items():
        if leg_id not in legs or not isinstance(members, list):
            raise Refused("crew.invalid", f"crew names leg {leg_id!r}, which the plan does not have")
        private[leg_id] = [_member(m) for m in members]
        legs[leg_id]["crew"] = [m["commitment"] for m in private[leg_id]]
    return content, {"crew": private}


def _member(member: object) -> dict[str, str]:
    if not isinstance(member, dict) or not all(isinstance(member.get(k), str) and member[k] for k in ("name",
                                                                                                        "document")):
        raise Refused("crew.invalid", "each crew member has a non-empty \"name\" and \"document\"")
    return commit(member["name"], member["document"])
