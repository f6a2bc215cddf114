"""Plain data for who takes part and what is asked: parties, routes, plans.

These are msgspec Structs rather than stdlib dataclasses: the same plain, typed records, but decoded and
validated from JSON in one step and several times faster, which the fold benchmark needs.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from .quantity import PositiveQuantity

# operator: keeps the registry (parties, routes, keys) and acts on no passage; source: a data source that
# attests passages it recorded (imports), and never consents in anyone's name.
PartyKind = Literal["humanitarian", "authority", "escort", "observer", "operator", "source"]
Capacity = Literal["border_control", "customs", "transit", "receiving_security", "escort"]
Linkage = Literal["independent", "simultaneous"]
Direction = Literal["forward", "reverse"]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
# Id: a name given to something new (checked against ID_PATTERN). Ref: a name that refers to something
# existing; a lookup refuses it if unknown, so the pattern check is skipped on the hot path.
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=ID_PATTERN)]
Ref = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Text = Annotated[str, msgspec.Meta(max_length=4000)]
# Label: a short name a read model keeps in an indexed or narrow column (a unit, a vehicle type, a plate, a
# dataset or crossing name). Its limit is the read models' column width (LABEL_MAX_LENGTH), so nothing the
# engine accepts can fail to be stored (on PostgreSQL a longer value would abort the write).
LABEL_MAX_LENGTH = 200
Label = Annotated[str, msgspec.Meta(max_length=LABEL_MAX_LENGTH)]
Count = Annotated[int, msgspec.Meta(ge=0, le=2**53 - 1)]
PositiveCount = Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)]
# degrees as decimal strings (statements carry no floats): "39.8153"
Coordinate = Annotated[str, msgspec.Meta(pattern=r"^-?\d{1,3}(\.\d{1,8})?$")]
# a SHA-256 digest in lowercase hex: documents' hashes, and salted commitments (corridor.ledger.commitments)
Sha256Hex = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
# an IANA time zone name ("Asia/Baku", "UTC"), checked for its shape only: whether a zone exists depends on
# the reader's tz database, and the fold must not (the pages fall back to UTC for a zone they do not know)
TimeZoneName = Annotated[str, msgspec.Meta(max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$")]

INSPECTING_CAPACITIES: frozenset[str] = frozenset({"border_control", "customs"})
DEFAULT_TOLERANCE_SECONDS = 15 * 60


class Record(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, gc=False):
    """Base for every record: unknown fields are an error, never silently dropped.

    gc=False: records form trees, never reference cycles, so the cyclic garbage collector need not
    track them; with a million of them alive that saves a quarter of the fold's time.
    """


class Party(Record, frozen=True, kw_only=True):
    id: Id
    name: Text
    kind: PartyKind


class Requirement(Record, frozen=True, kw_only=True):
    """One party whose consent a route needs, in one capacity."""

    party: Id
    capacity: Capacity


class Checkpoint(Record, frozen=True, kw_only=True, omit_defaults=True):
    """A place on a route. `inspected_by` lists the parties that inspect there (may be empty: a gate).
    `tz`, the IANA zone the crossing keeps its clocks in, is how the pages show its times (the log stays in
    UTC). omit_defaults: a checkpoint without the optional fields encodes without them, so routes defined
    before `tz` existed read and re-encode as they were written."""

    id: Id
    name: Text
    inspected_by: tuple[Id, ...] = ()
    lat: Coordinate | None = None
    lon: Coordinate | None = None
    tz: TimeZoneName | None = None


class Route(Record, frozen=True, kw_only=True):
    """A road with its checkpoints in forward order; the first one met is the leg's gate."""

    id: Id
    name: Text
    checkpoints: tuple[Checkpoint, ...]
    policy: tuple[Requirement, ...]

    def ordered_checkpoints(self, direction: str) -> tuple[Checkpoint, ...]:
        return self.checkpoints if direction == "forward" else tuple(reversed(self.checkpoints))

    def capacities_of(self, party: str) -> set[str]:
        return {req.capacity for req in self.policy if req.party == party}


class ManifestLine(Record, frozen=True, kw_only=True, omit_defaults=True):
    """`vehicle`, when given, names the vehicle of the leg that carries the line (a checkpoint inspects
    vehicle by vehicle); a line without one is carried by the leg as a whole. omit_defaults: a line
    without a vehicle encodes exactly as before the field existed, so every plan's version still holds.
    Only `vehicle` has a default here; a field added later must keep that true."""

    id: Id
    item: Text
    category: Text
    quantity: PositiveQuantity  # an int, or a decimal string ("2.5"; engine/quantity.py): ints encode as before
    unit: Label
    weight_kg: Count
    vehicle: Id | None = None


class Vehicle(Record, frozen=True, kw_only=True):
    """`plate` is a salted commitment to {"plate": ...}: the plate stays off the public log until the
    requester reveals it (plan.reveal) once the plan is closed."""

    id: Id
    plate: Sha256Hex
    type: Label


class CrewSeat(Record, frozen=True, kw_only=True):
    """A crew member who travels in a named vehicle of the leg: the member's commitment and the vehicle's id.
    A member the plan seats in no vehicle stays a bare commitment in `Leg.crew`, so every plan written
    before seats existed encodes as it was (its version still holds)."""

    commitment: Sha256Hex
    vehicle: Id


class Leg(Record, frozen=True, kw_only=True):
    """One road of a plan. Crew are salted commitments to {"name", "document"}, never names: the log never
    shows who drove. A member may be seated in one of the leg's vehicles (CrewSeat): which vehicle is public,
    who is not."""

    id: Id
    route: Id
    direction: Direction = "forward"
    lines: tuple[ManifestLine, ...]
    vehicles: tuple[Vehicle, ...] = ()
    crew: tuple[Sha256Hex | CrewSeat, ...] = ()
    seals: tuple[Text, ...] = ()

    def crew_commitments(self) -> list[str]:
        return [seat if isinstance(seat, str) else seat.commitment for seat in self.crew]

    def crew_vehicles(self) -> dict[str, str]:
        """The vehicle each seated member travels in, by the member's commitment."""
        return {seat.commitment: seat.vehicle for seat in self.crew if not isinstance(seat, str)}

    def line(self, line_id: str) -> ManifestLine | None:
        for line in self.lines:  # a plain loop: cheaper than a generator for a handful of lines
            if line.id == line_id:
                return line
        return None


class PlanContent(Record, frozen=True, kw_only=True):
    """What the requester asks for. Its canonical hash is the plan's version."""

    legs: tuple[Leg, ...]
    linkage: Linkage = "independent"
    tolerance_seconds: Annotated[int, msgspec.Meta(ge=0, le=86400)] = DEFAULT_TOLERANCE_SECONDS
    expires_at: str | None = None

    def leg(self, leg_id: str) -> Leg | None:
        for leg in self.legs:
            if leg.id == leg_id:
                return leg
        return None
