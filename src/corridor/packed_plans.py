"""The plans of a long fold, the closed ones kept packed: `State.plans` for a fold of the whole log.

A fold of the whole log (`corridor rebuild`) keeps every plan ever submitted, and a plan held as Python
objects is ~7 KB: the rebuild of 10M statements (1M plans) held 11+ GB (docs/scaling.md). The same plan
in msgpack, as a snapshot holds it (snapshot_plans.py), is ~1.6 KB, and most plans are closed and seldom
read again. So `PackedPlans` holds each plan in one dict, either as its PlanState or packed as its
msgpack bytes:

- a read of a packed plan decodes it, and the plan stays decoded until the next pack: the engine changes
  the very object it reads, so the mapping must hand out the one object that holds the plan;
- `pack_closed()` packs the plans decoded or set since the last pack that are closed. It is called only at
  a safe point, where nobody holds a PlanState across it (between two entries of a fold): a plan held
  across a pack would be changed where the mapping no longer looks.

The order is the dict's own: packing or decoding a plan replaces the value of its key in place, so the
mapping iterates exactly as a dict of PlanStates would — the fold's order, which `to_json` and the
snapshots write (a fold with packing serialises byte for byte as one without). Not a dict, as MappedPlans
is not: code that would walk a dict's storage fails loudly instead of meeting bytes.

Packing a plan costs one encode and freeing its objects (~35–40 µs a plan in a fold of 100,000, ~10 % of
the fold's CPU, docs/benchmarks.md); a packed plan read again costs a decode, and an encode at the next pack.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping

import msgspec

from .engine.state import CLOSED_STATUSES, PlanState

_plan_decoder = msgspec.msgpack.Decoder(PlanState)  # the encoding of snapshot_plans.py
_plan_encoder = msgspec.msgpack.Encoder()

Held = PlanState | bytes  # a plan as the mapping holds it


class PackedPlans(MutableMapping):
    """`State.plans` whose closed plans are kept packed between the calls to `pack_closed`."""

    def __init__(self) -> None:
        self._plans: dict[str, Held] = {}
        self._loose: dict[str, None] = {}  # the plans held decoded: the ones the next pack looks at

    def __getitem__(self, plan_id: str) -> PlanState:
        plan = self._plans[plan_id]
        return self._unpacked(plan_id, plan) if type(plan) is bytes else plan

    def get(self, plan_id: str, default: PlanState | None = None) -> PlanState | None:
        plan = self._plans.get(plan_id, default)  # written out: the engine's common read, kept to one call
        return self._unpacked(plan_id, plan) if type(plan) is bytes else plan

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self._plans

    def __setitem__(self, plan_id: str, plan: PlanState) -> None:
        self._plans[plan_id] = plan  # a key already here keeps its place, as in a dict
        self._loose[plan_id] = None

    def __delitem__(self, plan_id: str) -> None:
        del self._plans[plan_id]
        self._loose.pop(plan_id, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._plans)

    def __len__(self) -> int:
        return len(self._plans)

    def __repr__(self) -> str:
        return f"<PackedPlans: {len(self)} plans, {len(self._loose)} decoded>"

    def _unpacked(self, plan_id: str, packed: bytes) -> PlanState:
        plan = self._plans[plan_id] = _plan_decoder.decode(packed)
        self._loose[plan_id] = None
        return plan

    def pack_closed(self) -> int:
        """Pack the decoded plans that are closed; returns how many. Only where no PlanState is held (above)."""
        plans, still_open, packed = self._plans, {}, 0
        for plan_id in self._loose:
            plan = plans[plan_id]
            if plan.status in CLOSED_STATUSES:
                plans[plan_id] = _plan_encoder.encode(plan)
                packed += 1
            else:
                still_open[plan_id] = None
        self._loose = still_open
        return packed

    def held(self) -> Iterator[Held]:
        """Every plan as it is held, in order: packed ones stay packed here (for `plan_of` elsewhere)."""
        return iter(self._plans.values())

    def encoded(self) -> Iterator[tuple[str, bytes]]:
        """Every plan's id and msgpack, in order: the packed ones as they are (what a snapshot writes)."""
        for plan_id, plan in self._plans.items():
            yield plan_id, plan if type(plan) is bytes else _plan_encoder.encode(plan)


def held_plans(plans: Mapping[str, PlanState]) -> Iterator[Held]:
    """A fold's plans in order, without decoding the packed ones (`plan_of` and `leg_count` read either)."""
    return plans.held() if isinstance(plans, PackedPlans) else iter(plans.values())


def plan_of(held: Held) -> PlanState:
    """The plan, decoded if packed (and not kept: a copy for reading, as a worker writing rows needs)."""
    return _plan_decoder.decode(held) if type(held) is bytes else held


class _Content(msgspec.Struct):
    legs: list[msgspec.Raw]


class _LegsOnly(msgspec.Struct):
    content: _Content


_legs_decoder = msgspec.msgpack.Decoder(_LegsOnly)  # the rest skipped: ~1/20 of a whole plan's decode


def leg_count(held: Held) -> int:
    """How many legs the plan's content has, without decoding a packed plan whole."""
    if type(held) is bytes:
        return len(_legs_decoder.decode(held).content.legs)
    return len(held.content.legs)
