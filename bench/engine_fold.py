"""Benchmark: a full fold of ~1M statements (100k plans, realistic mix) through the engine.

Prints statements/s and peak memory of the fold, beside the raw primitive it rests on (msgspec JSON
decoding of the same lines, measured in the same run), so the ratio holds on a noisy machine.

    .venv/bin/python bench/engine_fold.py                  # 100k plans (~1M statements)
    .venv/bin/python bench/engine_fold.py --plans 10000    # quicker
    .venv/bin/python bench/engine_fold.py --digest         # also the SHA-256 of the final state (to_json), so
                                                           # two engines can be held to the same fold
    .venv/bin/python bench/engine_fold.py --pack 50000     # closed plans packed every 50,000 statements, as
                                                           # `corridor rebuild` folds (packed_plans.py)
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec

from corridor.engine import (
    Checkpoint,
    Party,
    PlanContent,
    Requirement,
    Route,
    State,
    apply,
    collector_paused,
    to_json,
)
from corridor.engine.rules.common import plan_version
from corridor.engine.statements import parse_statement_json
from corridor.engine.times import format_time, parse_time
from corridor.ledger.commitments import commit, plate_value, window_value
from corridor.packed_plans import PackedPlans, held_plans, plan_of

T0 = parse_time("2024-01-01T00:00:00Z")
MIN, HOUR, DAY = 60, 3600, 86400
ORGS = [f"org-{n:02d}" for n in range(1, 21)]
ITEMS = [("Wheat flour", "food", "kg"), ("Rice", "food", "kg"), ("Tarpaulins", "shelter", "piece"),
         ("Hygiene kits", "wash", "kit"), ("Insulin", "health", "carton"), ("Water tanks", "wash", "piece")]


def registry() -> tuple[list[Party], list[Route]]:
    parties = [Party(id=org, name=org, kind="humanitarian") for org in ORGS]
    parties += [Party(id=pid, name=pid, kind="authority")
                for pid in ("border-1", "customs-1", "border-2", "customs-2", "recv-1", "recv-2")]
    parties += [Party(id="escort-1", name="escort", kind="escort"), Party(id="obs", name="obs", kind="observer")]
    routes = []
    for n in range(6):
        side = 1 + n % 2
        inspected = n < 4
        inspectors = (f"border-{side}", f"customs-{side}") if inspected else ()
        policy = [Requirement(party=f"recv-{side}", capacity="receiving_security")]
        if inspected:
            policy += [Requirement(party=f"border-{side}", capacity="border_control"),
                       Requirement(party=f"customs-{side}", capacity="customs")]
        if n % 3 == 0:
            policy.append(Requirement(party="escort-1", capacity="escort"))
        routes.append(Route(id=f"route-{n}", name=f"Route {n}",
                            checkpoints=(Checkpoint(id=f"gate-{n}", name=f"Gate {n}", inspected_by=inspectors),),
                            policy=tuple(policy)))
    return parties, routes


class PlanScript:
    """Emits one plan's statements, each as (time, order, dict without seq), in time order."""

    def __init__(self, index: int, routes: list[Route]) -> None:
        self.rng = random.Random(index)
        self.id = f"plan-{index:06d}"
        self.org = ORGS[index % len(ORGS)]
        self.now = T0 + index * 50
        self.routes = {r.id: r for r in routes}
        self.content = self._content(routes)
        self.version = plan_version(msgspec.convert(self.content, PlanContent))
        self.out: list[dict] = []

    def _content(self, routes: list[Route]) -> dict:
        rng = self.rng
        legs = []
        for n in range(2 if rng.random() < 0.2 else 1):
            lines = []
            for k in range(rng.randint(1, 4)):
                item, category, unit = rng.choice(ITEMS)
                qty = rng.randint(10, 20000)
                lines.append({"id": f"l{k}", "item": item, "category": category, "quantity": qty, "unit": unit,
                              "weight_kg": qty})
            legs.append({"id": f"leg-{n}", "route": rng.choice(routes).id, "lines": lines,
                         "vehicles": [{"id": "v1", "plate": self._commit(plate_value(f"P-{rng.randint(100, 999)}")),
                                       "type": "truck"}],
                         "seals": ["S1"]})
        return {"legs": legs, "linkage": "simultaneous" if len(legs) > 1 else "independent"}

    def _commit(self, value: dict) -> str:
        """A commitment as the service signs it (the salt from the seeded generator, so runs repeat)."""
        return commit(value, salt=f"{self.rng.getrandbits(128):032x}")[1]

    def required(self) -> list[str]:
        parties: list[str] = []
        for leg in self.content["legs"]:
            parties += [req.party for req in self.routes[leg["route"]].policy if req.party not in parties]
        return parties

    def say(self, party: str, kind: str, delay: int, **payload) -> None:
        self.now += delay
        self.out.append({"type": kind, "party": party, "time": self.now, "plan": self.id, "payload": payload})

    def script(self) -> list[dict]:
        rng, roll = self.rng, self.rng.random()
        self.say(self.org, "plan.submit", 0, **self.content)
        if roll < 0.10:
            self._refuse_then_cancel()
        elif roll < 0.25:
            self._consents(partial=True)
        elif roll < 0.35:
            self.say(self.required()[0], "plan.request_info", rng.randint(MIN, DAY), request="q1", question="Date?")
            self.say(self.org, "plan.answer", rng.randint(MIN, DAY), request="q1", answer="Next week")
            self._consents()
            self._slot()
        else:
            self._consents()
            self._slot()
            self._movement()
        return self.out

    def _consents(self, partial: bool = False) -> None:
        parties = self.required()
        for party in parties[: len(parties) - 1] if partial else parties:
            self.say(party, "plan.consent", self.rng.randint(10 * MIN, 2 * DAY), version=self.version)

    def _refuse_then_cancel(self) -> None:
        parties = self.required()
        self.say(parties[0], "plan.refuse", self.rng.randint(HOUR, DAY), version=self.version, reason="manifest",
                 lines=[{"leg": "leg-0", "line": "l0"}])
        self.say(self.org, "plan.cancel", self.rng.randint(HOUR, DAY))

    def _slot(self) -> None:
        delay = self.rng.randint(HOUR, DAY)
        start, end = self.now + delay + 2 * DAY, self.now + delay + 2 * DAY + 4 * HOUR
        self.say(self.org, "slot.propose", delay, slot="s1",
                 window=self._commit(window_value(format_time(start), format_time(end))))
        self.slot_start = start
        for party in self.required():
            self.say(party, "slot.confirm", self.rng.randint(5 * MIN, 6 * HOUR), slot="s1")

    def _movement(self) -> None:
        self.now = max(self.now, self.slot_start - HOUR)
        legs = self.content["legs"]
        for leg in legs:
            route = self.routes[leg["route"]]
            self.say(self.org, "leg.arrive", 5 * MIN, leg=leg["id"], checkpoint=route.checkpoints[0].id)
            if route.checkpoints[0].inspected_by:
                findings = [{"line": line["id"], "found": line["quantity"]} for line in leg["lines"]]
                self.say(route.checkpoints[0].inspected_by[-1], "leg.inspect", self.rng.randint(10 * MIN, HOUR),
                         leg=leg["id"], checkpoint=route.checkpoints[0].id, findings=findings, decision="cleared")
        self.now = max(self.now, self.slot_start)
        self.say(self.org, "plan.go", MIN)
        for leg in legs:
            self.say(self.org, "leg.depart", self.rng.randint(MIN, 5 * MIN), leg=leg["id"])
        for leg in legs:
            receiver = next(r.party for r in self.routes[leg["route"]].policy if r.capacity == "receiving_security")
            receipts = [{"line": line["id"], "good": line["quantity"]} for line in leg["lines"]]
            self.say(receiver, "leg.deliver", self.rng.randint(HOUR, 8 * HOUR), leg=leg["id"], receipts=receipts)


def generate(plans: int, path: Path) -> int:
    """Write the statements, globally in time order with per-party sequence numbers, as JSON lines."""
    _, routes = registry()
    # one lazily generated stream per plan, merged by time (each plan's script is built when first needed)
    streams = [_timed_plan(i, routes) for i in range(plans)]
    seq: dict[str, int] = {}
    encoder = msgspec.json.Encoder()
    count = 0
    with path.open("wb") as out:
        for _, _, statement in heapq.merge(*streams):
            seq[statement["party"]] = seq.get(statement["party"], 0) + 1
            statement["seq"], statement["time"] = seq[statement["party"]], format_time(statement["time"])
            out.write(encoder.encode(statement) + b"\n")
            count += 1
    return count


def _timed_plan(index: int, routes: list[Route]) -> Iterator[tuple[int, int, dict]]:
    """Plan `index`'s statements as (time, tie-breaker, statement); generated on first use."""
    for n, statement in enumerate(PlanScript(index, routes).script()):
        yield statement["time"], index * 100 + n, statement


def fold(path: Path, digest: bool = False, pack: int = 0) -> dict:
    """Stream the lines from disk, decode and apply each; also time raw decoding (the primitive). `digest`: the
    SHA-256 of the final state's JSON too, computed after the peak RSS is read (the JSON is as large again).
    `pack`: the plans held as a rebuild holds them (PackedPlans), the closed ones packed every `pack` statements."""
    decoder = msgspec.json.Decoder()
    started = time.perf_counter()
    with path.open("rb") as lines, collector_paused():
        count = sum(1 for line in lines if decoder.decode(line) is not None)
    decode_seconds = time.perf_counter() - started
    parties, routes = registry()
    state = State.with_registry(parties, routes)
    if pack:
        state.plans = PackedPlans()
    started, cpu, packing = time.perf_counter(), time.process_time(), 0.0
    with path.open("rb") as lines, collector_paused():  # as the service's folds (rebuild, catch-up) do
        for number, line in enumerate(lines, 1):
            apply(state, parse_statement_json(line))
            if pack and number % pack == 0:
                packing -= time.process_time()
                state.plans.pack_closed()
                packing += time.process_time()
    fold_seconds, fold_cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # before the plans are read again below
    statuses: dict[str, int] = {}
    for held in held_plans(state.plans):  # a packed plan decoded for its status only, not kept
        status = plan_of(held).status
        statuses[status] = statuses.get(status, 0) + 1
    result = {
        "statements": count, "plans": len(state.plans), "fold_seconds": round(fold_seconds, 2),
        "fold_cpu_seconds": round(fold_cpu, 2), "pack": pack, "packing_cpu_seconds": round(packing, 2),
        "statements_per_second": round(count / fold_seconds),
        "decode_per_second": round(count / decode_seconds),
        "peak_rss_mb": round(peak_rss / 1024), "statuses": statuses,
    }
    if digest:
        result["state_sha256"] = hashlib.sha256(to_json(state)).hexdigest()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--digest", action="store_true", help="also print the SHA-256 of the final state")
    parser.add_argument("--pack", type=int, default=0, metavar="N",
                        help="keep closed plans packed, packing every N statements (as `corridor rebuild` does)")
    parser.add_argument("--keep", type=Path, help="the generated statements, kept in this file (reused if there)")
    parser.add_argument("--fold-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fold_only:
        print(json.dumps(fold(args.fold_only, args.digest, args.pack)))
        return
    if args.keep:
        if not args.keep.exists():
            print(f"generated {generate(args.plans, args.keep):,} statements for {args.plans:,} plans")
        report(fold_in_child(args.keep, args))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "statements.jsonl"
        started = time.perf_counter()
        count = generate(args.plans, path)
        print(f"generated {count:,} statements for {args.plans:,} plans in {time.perf_counter() - started:.1f}s")
        result = fold_in_child(path, args)
    report(result)


def fold_in_child(path: Path, args: argparse.Namespace) -> dict:
    """The fold in a fresh process, so that its peak memory is its own, not the generator's."""
    command = [sys.executable, __file__, "--fold-only", str(path), "--pack", str(args.pack),
               *(["--digest"] if args.digest else [])]
    return json.loads(subprocess.run(command, check=True, capture_output=True).stdout)


def report(result: dict) -> None:
    ratio = result["statements_per_second"] / result["decode_per_second"]
    packing = f", closed plans packed every {result['pack']:,}: {result['packing_cpu_seconds']}s of it" \
        if result.get("pack") else ""
    print(f"fold:      {result['statements_per_second']:>10,} statements/s  ({result['fold_seconds']}s for "
          f"{result['statements']:,} statements, {result['plans']:,} plans, {result['fold_cpu_seconds']}s CPU"
          f"{packing})")
    print(f"primitive: {result['decode_per_second']:>10,} msgspec JSON decodes/s of the same lines")
    print(f"ratio:     fold runs at {ratio:.3f} of raw decoding speed")
    print(f"peak RSS of the fold process: {result['peak_rss_mb']:,} MB")
    print(f"final statuses: {result['statuses']}")
    if "state_sha256" in result:
        print(f"final state SHA-256: {result['state_sha256']}")


if __name__ == "__main__":
    main()
