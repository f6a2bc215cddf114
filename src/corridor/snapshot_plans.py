"""The plans of a fold snapshot, read in place: an index to look a plan up by id, and each plan's bytes.

A large log holds a plan per ~10 statements (1M plans at 10M statements), and a process that loads a
snapshot reads only the few plans it is asked about. Decoding every plan on load, or even building a dict
of a million ids to their bytes, grew a cold start and each process's memory with the log (docs/snapshots.md).
So the plans are laid out for reading where they lie — in a file every process maps (`mmap`), whose pages
the processes share:

    records              each a plan: uint16 big-endian length | the id in UTF-8 | the plan in msgpack,
                         in the fold's own order (insertion order)
    keys    n × uint64   the first 8 bytes of SHA-256(plan id), ascending
    slots   n × uint32   for each key in that order, the number of its record
    ends    n × uint64   where each record ends, from the section's start

The index comes last so that the section is written as the plans go by, without holding them all.

Integers are native (the header names the byte order): a snapshot is this machine's, never shipped. A
lookup bisects the keys and compares the ids of the records with that key (so two ids whose hashes share
8 bytes are told apart), then decodes that one plan, strictly, as a PlanState. No library lays out a
sorted index over msgpack records for in-place reads, hence these few lines of our own.

`MappedPlans` is the fold's `State.plans` after a load: a mapping (not a dict: code that would walk a
dict's storage fails loudly instead of missing the plans still in the file) whose reads decode on first
use and whose writes are kept beside the file's plans. `write_plans` writes the section again: a plan
never decoded is copied as the very bytes it was read from.
"""

from __future__ import annotations

import bisect
import hashlib
from array import array
from collections.abc import Iterable, Iterator, MutableMapping
from typing import BinaryIO

import msgspec

from .engine.state import PlanState

_ID_LENGTH = 2
INDEX_BYTES_PER_PLAN = 8 + 4 + 8
_plan_decoder = msgspec.msgpack.Decoder(PlanState)
_plan_encoder = msgspec.msgpack.Encoder()


def key_of(plan_id: str) -> int:
    return int.from_bytes(hashlib.sha256(plan_id.encode()).digest()[:8], "big")


class MappedPlans(MutableMapping):
    """`State.plans` over a snapshot's plans section (`section`: a memoryview of it, holding `count` plans)."""

    def __init__(self, section: memoryview, count: int) -> None:
        index = len(section) - INDEX_BYTES_PER_PLAN * count
        if index < 0:
            raise ValueError("the plans section is shorter than its index")
        self._records = section[:index]
        self._keys = section[index:index + 8 * count].cast("Q")
        self._slots = section[index + 8 * count:index + 12 * count].cast("I")
        self._ends = section[index + 12 * count:].cast("Q")
        self._count = count
        self._changed: dict[str, PlanState] = {}  # plans decoded or set since the load: the current ones
        self._added: list[str] = []  # ids set since the load that the file's order does not place, in order
        self._hidden: set[str] = set()  # ids in the file no longer where the file places them (deleted)

    # -- the file's records ------------------------------------------------------------------------------

    def _record(self, number: int) -> memoryview:
        start = self._ends[number - 1] if number else 0
        return self._records[start:self._ends[number]]

    @staticmethod
    def _split(record: memoryview) -> tuple[bytes, memoryview]:
        length = int.from_bytes(record[:_ID_LENGTH], "big")
        return bytes(record[_ID_LENGTH:_ID_LENGTH + length]), record[_ID_LENGTH + length:]

    def _stored(self, plan_id: str) -> memoryview | None:
        """The msgpack of plan `plan_id` in the file, or None."""
        key, wanted = key_of(plan_id), plan_id.encode()
        position = bisect.bisect_left(self._keys, key)
        while position < self._count and self._keys[position] == key:
            found, plan = self._split(self._record(self._slots[position]))
            if found == wanted:
                return plan
            position += 1
        return None

    def _stored_records(self) -> Iterator[tuple[str, memoryview]]:
        for number in range(self._count):
            plan_id, plan = self._split(self._record(number))
            yield plan_id.decode(), plan

    def _stored_ids(self) -> Iterator[str]:
        return (plan_id for plan_id, _ in self._stored_records())

    def as_bytes(self) -> Iterator[tuple[str, bytes | memoryview]]:
        """Each plan's msgpack in the fold's order: a plan never decoded, as the very bytes the file holds."""
        for plan_id, stored in self._stored_records():
            if plan_id in self._hidden:
                continue
            changed = self._changed.get(plan_id)
            yield plan_id, stored if changed is None else _plan_encoder.encode(changed)
        yield from ((plan_id, _plan_encoder.encode(self._changed[plan_id])) for plan_id in list(self._added))

    # -- the mapping -----------------------------------------------------------------------------------------

    def __getitem__(self, plan_id: str) -> PlanState:
        plan = self._changed.get(plan_id)
        if plan is not None:
            return plan
        stored = None if plan_id in self._hidden or not isinstance(plan_id, str) else self._stored(plan_id)
        if stored is None:
            raise KeyError(plan_id)
        plan = self._changed[plan_id] = _plan_decoder.decode(stored)
        return plan

    def __contains__(self, plan_id: object) -> bool:
        if plan_id in self._changed:
            return True
        return isinstance(plan_id, str) and plan_id not in self._hidden and self._stored(plan_id) is not None

    def __setitem__(self, plan_id: str, plan: PlanState) -> None:
        if plan_id not in self:
            self._added.append(plan_id)  # as a dict would: a new key (or one deleted before) comes last
        self._changed[plan_id] = plan

    def __delitem__(self, plan_id: str) -> None:
        if plan_id not in self:
            raise KeyError(plan_id)
        self._changed.pop(plan_id, None)
        if plan_id in self._added:
            self._added.remove(plan_id)
        else:
            self._hidden.add(plan_id)

    def __iter__(self) -> Iterator[str]:
        """The fold's order: the file's plans as they were inserted, then those added since."""
        yield from (plan_id for plan_id in self._stored_ids() if plan_id not in self._hidden)
        yield from list(self._added)

    def __len__(self) -> int:
        return self._count - len(self._hidden) + len(self._added)

    def __repr__(self) -> str:
        return f"<MappedPlans: {len(self)} plans, {len(self._changed)} decoded>"


def plan_bytes(plans: MutableMapping[str, PlanState]) -> Iterator[tuple[str, bytes | memoryview]]:
    """Each plan's msgpack, in the fold's order."""
    if isinstance(plans, MappedPlans):
        return plans.as_bytes()
    return ((plan_id, _plan_encoder.encode(plan)) for plan_id, plan in plans.items())


def write_plans(plans: Iterable[tuple[str, bytes | memoryview]], out: BinaryIO) -> int:
    """The plans section (see the module's docstring) to `out`, a plan at a time; returns how many plans."""
    keys, ends, end = [], array("Q"), 0
    for number, (plan_id, data) in enumerate(plans):
        encoded = plan_id.encode()
        end += out.write(len(encoded).to_bytes(_ID_LENGTH, "big")) + out.write(encoded) + out.write(data)
        keys.append((key_of(plan_id), number))
        ends.append(end)
    keys.sort()
    out.write(array("Q", [key for key, _ in keys]))
    out.write(array("I", [number for _, number in keys]))
    out.write(ends)
    return len(keys)
