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
8 bytes are told apart), then decodes that one plan, strictly, as a PlanState. Why our own few lines and
not an embedded store that maps its file too (LMDB, or SQLite, which we already ship): the snapshot is one
read-only file, authenticated whole (HMAC'd header, body digest) and replaced by rename, whose plans must
come back as the very msgpack bytes they were and be copied in runs into the next one; a store brings its
own pages, free space and locking for a file nobody writes in place. The layout is a sorted array and a
binary search (`bisect`), nothing more.

`MappedPlans` is the fold's `State.plans` after a load: a mapping (not a dict: code that would walk a
dict's storage fails loudly instead of missing the plans still in the file) whose reads decode on first
use and whose writes are kept beside the file's plans. `write_section` writes the section again: the plans
never decoded are copied, in runs, as the very bytes they were read from.
"""

from __future__ import annotations

import bisect
import hashlib
from array import array
from collections.abc import Iterable, Iterator, MutableMapping
from typing import BinaryIO

import msgspec

from .engine.state import PlanState
from .packed_plans import PackedPlans

_ID_LENGTH = 2  # a plan id is at most 128 characters (engine.model.Ref): 512 bytes of UTF-8
INDEX_BYTES_PER_PLAN = 8 + 4 + 8
_BATCH = 1024  # records written at a time
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
        self._current: dict[str, PlanState] = {}  # plans decoded or set since the load: the current ones
        self._numbers: dict[str, int] = {}  # of those, the ones the file holds: their record numbers
        self._added: list[str] = []  # ids set since the load that the file's order does not place, in order
        self._hidden: set[int] = set()  # records no longer where the file places them (deleted)

    # -- the file's records ------------------------------------------------------------------------------

    def _start(self, number: int) -> int:
        return self._ends[number - 1] if number else 0

    def _record(self, number: int) -> memoryview:
        return self._records[self._start(number):self._ends[number]]

    @staticmethod
    def _split(record: memoryview) -> tuple[bytes, memoryview]:
        length = int.from_bytes(record[:_ID_LENGTH], "big")
        return bytes(record[_ID_LENGTH:_ID_LENGTH + length]), record[_ID_LENGTH + length:]

    def _stored(self, plan_id: str) -> tuple[int, memoryview] | None:
        """The record number and msgpack of plan `plan_id` if the file holds it (and it was not deleted)."""
        if not isinstance(plan_id, str):
            return None
        key, wanted = key_of(plan_id), plan_id.encode()
        position = bisect.bisect_left(self._keys, key)
        while position < self._count and self._keys[position] == key:
            number = self._slots[position]
            found, plan = self._split(self._record(number))
            if found == wanted:
                return None if number in self._hidden else (number, plan)
            position += 1
        return None

    def stored(self) -> Iterator[tuple[str, memoryview]]:
        """The file's plans as (id, msgpack), in the file's order (those deleted since the load left out)."""
        for number in range(self._count):
            if number not in self._hidden:
                plan_id, plan = self._split(self._record(number))
                yield plan_id.decode(), plan

    def _stored_ids(self) -> Iterator[str]:
        return (plan_id for plan_id, _ in self.stored())

    # -- the mapping -----------------------------------------------------------------------------------------

    def __getitem__(self, plan_id: str) -> PlanState:
        plan = self._current.get(plan_id)
        if plan is not None:
            return plan
        stored = self._stored(plan_id)
        if stored is None:
            raise KeyError(plan_id)
        self._numbers[plan_id] = stored[0]
        plan = self._current[plan_id] = _plan_decoder.decode(stored[1])
        return plan

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self._current or self._stored(plan_id) is not None

    def __setitem__(self, plan_id: str, plan: PlanState) -> None:
        if plan_id not in self._current:
            stored = self._stored(plan_id)
            if stored is None:
                self._added.append(plan_id)  # as a dict would: a new key (or one deleted before) comes last
            else:
                self._numbers[plan_id] = stored[0]
        self._current[plan_id] = plan

    def __delitem__(self, plan_id: str) -> None:
        if plan_id not in self:
            raise KeyError(plan_id)
        self._current.pop(plan_id, None)
        if plan_id in self._numbers:
            self._hidden.add(self._numbers.pop(plan_id))
        elif plan_id in self._added:
            self._added.remove(plan_id)
        else:
            self._hidden.add(self._stored(plan_id)[0])

    def __iter__(self) -> Iterator[str]:
        """The fold's order: the file's plans as they were inserted, then those added since."""
        yield from self._stored_ids()
        yield from list(self._added)

    def __len__(self) -> int:
        return self._count - len(self._hidden) + len(self._added)

    def __repr__(self) -> str:
        return f"<MappedPlans: {len(self)} plans, {len(self._current)} decoded>"

    # -- written again -----------------------------------------------------------------------------------------

    def write_section(self, out: BinaryIO) -> int:
        """This section again, with the plans decoded since (encoded again: the same bytes if unchanged) and
        those added: the runs of records in between are copied as they are, and so is the index but for the
        plans added (a plan's record keeps its number: records are only ever appended). Returns how many."""
        if self._hidden:  # never done by the engine (plans are not deleted): the plain way
            return write_plans(((plan_id, _plan_encoder.encode(self[plan_id])) for plan_id in self), out)
        replaced = sorted((number, self._current[plan_id]) for plan_id, number in self._numbers.items())
        ends, copied, shift = array("Q"), 0, 0  # records before `copied` are written; `shift`: how far they moved
        for number, plan in [*replaced, (self._count, None)]:
            _copy_run(self._records[self._start(copied):self._start(number)], self._ends[copied:number], shift,
                      out, ends)
            if plan is not None:
                record = _record(self._split(self._record(number))[0], _plan_encoder.encode(plan))
                shift += len(record) - (self._ends[number] - self._start(number))
                out.write(record)
                ends.append(self._ends[number] + shift)
            copied = number + 1
        end = ends[-1] if ends else 0
        added = []
        for number, plan_id in enumerate(self._added, self._count):
            record = _record(plan_id.encode(), _plan_encoder.encode(self._current[plan_id]))
            end += out.write(record)
            ends.append(end)
            added.append((key_of(plan_id), number))
        keys, slots = _merged_index(self._keys, self._slots, sorted(added))
        out.write(keys)
        out.write(slots)
        out.write(ends)
        return len(ends)


def _record(plan_id: bytes, plan: bytes | memoryview) -> bytes:
    return len(plan_id).to_bytes(_ID_LENGTH, "big") + plan_id + bytes(plan)


def _copy_run(records: memoryview, old_ends: memoryview, shift: int, out: BinaryIO, ends: array) -> None:
    """Records copied as they are, their ends moved by `shift` (the records replaced before them grew or shrank)."""
    out.write(records)
    if shift:
        ends.extend(end + shift for end in old_ends)
    else:
        ends.frombytes(old_ends.tobytes())


def _merged_index(keys: memoryview, slots: memoryview, added: list[tuple[int, int]]) -> tuple[array, array]:
    """The sorted keys and their record numbers, with `added` (sorted (key, number) pairs) put in place."""
    merged_keys, merged_slots, copied = array("Q"), array("I"), 0
    for key, number in [*added, (None, None)]:
        position = len(keys) if key is None else bisect.bisect_right(keys, key, copied)  # as a sort would
        merged_keys.frombytes(keys[copied:position].tobytes())
        merged_slots.frombytes(slots[copied:position].tobytes())
        if key is not None:
            merged_keys.append(key)
            merged_slots.append(number)
        copied = position
    return merged_keys, merged_slots


def write_plans(plans: Iterable[tuple[str, bytes | memoryview]], out: BinaryIO) -> int:
    """The plans section (see the module's docstring) to `out`; returns how many plans."""
    keys, ends, end, batch = [], array("Q"), 0, []
    for number, (plan_id, data) in enumerate(plans):
        record = _record(plan_id.encode(), data)
        batch.append(record)
        end += len(record)
        keys.append((key_of(plan_id), number))
        ends.append(end)
        if len(batch) == _BATCH:
            out.write(b"".join(batch))
            batch = []
    out.write(b"".join(batch))
    keys.sort()
    out.write(array("Q", [key for key, _ in keys]))
    out.write(array("I", [number for _, number in keys]))
    out.write(ends)
    return len(keys)


def write_section(plans: MutableMapping[str, PlanState], out: BinaryIO) -> int:
    """The plans section of a fold's plans, however they are held."""
    if isinstance(plans, MappedPlans):
        return plans.write_section(out)
    if isinstance(plans, PackedPlans):  # the packed plans copied, not decoded (and kept decoded) to be encoded
        return write_plans(plans.encoded(), out)
    return write_plans(((plan_id, _plan_encoder.encode(plan)) for plan_id, plan in plans.items()), out)
