"""The service's public downloads at a size are byte for byte what `corridor audit --at SIZE` recomputes from
the public log alone: on the two-roads example, on a BSGI import, and on random histories."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.engine.times import format_time
from corridor.service import clock
from corridor.service.guard import guarded
from corridor.service.imports.bsgi import import_bsgi
from corridor.service.ledger.record import Refused, current_fold, record_as

from ..api_driver import drive
from ..conftest import SCENARIO
from ..data import shared_data
from .audited import FLOUR, attest, audit, audited_files, downloads, publish

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_roads_every_table_byte_identical(parties, tiles, tmp_path, capsys):
    drive(SCENARIO, parties)
    size, trust = publish(tmp_path)
    served = downloads(size)
    assert audit(tiles, trust, tmp_path / "audit") == 0, capsys.readouterr().err
    assert audited_files(tmp_path / "audit") == served
    assert served["waiting.csv"].startswith(b"#checkpoint,")



def test_a_bsgi_import_every_table_byte_identical(db, tiles, tmp_path, capsys):
    rows = shared_data("bsgi/bsgi_outbound_shipments.csv").read_text(encoding="utf-8").splitlines()
    part = tmp_path / "bsgi-part.csv"
    part.write_text("\n".join(rows[:151]) + "\n", encoding="utf-8")  # 150 rows: voyages and their extra lines
    with clock.frozen_at(1700000000), guarded():
        report = import_bsgi(part, progress=lambda message: None)
    assert report.added > 100
    size, trust = publish(tmp_path)
    served = downloads(size)
    assert audit(tiles, trust, tmp_path / "audit") == 0, capsys.readouterr().err
    assert audited_files(tmp_path / "audit") == served
    assert served["attestations.csv"].count(b"\r\n") > 150


# ---- random histories -----------------------------------------------------------------------------------

ROUTES = {"road-a": ("lachin-checkpoint", ["border", "customs", "recv", "escort"]),
          "road-b": ("aghdam-gate", ["border", "recv", "escort"])}
STEP_KINDS = ["progress"] * 12 + ["submit", "consent", "refuse", "propose", "confirm", "arrive", "inspect", "go",
                                  "depart", "deliver", "cancel", "incident", "dispute", "attest"]
PARTIES = ["org-a", "org-b", "border", "customs", "recv", "escort"]
random_steps = st.lists(st.tuples(st.sampled_from(STEP_KINDS), st.integers(0, 5), st.integers(0, 9),
                                  st.integers(60, 2 * 86400)), min_size=20, max_size=60)
_clock = [1694390400 + 86400]  # statements move forward across examples: one log grows through them all


class RandomHistory:
    """Random statements through the service's one write path (custodial signing); refusals are skipped, so
    the log holds whatever the rules let through: refusals, half-done plans, open waits, disputes, imports."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.plans = prefix, []

    def step(self, kind: str, who: int, choice: int) -> None:
        plan = self.plans[choice % len(self.plans)] if self.plans else None
        if plan is None or kind == "submit":
            kind = "submit"
        elif kind == "progress":
            kind, who = self.next_step(self._state(plan))
        with contextlib.suppress(Refused, KeyError, TypeError, AttributeError, IndexError):  # not allowed now
            getattr(self, kind)(who, choice, plan)

    def next_step(self, state) -> tuple[str, int]:
        """What a cooperative party does next on the plan (kind, and who among the plan's parties)."""
        pending = [p for p, position in sorted(state.positions.items()) if position.stance != "consented"]
        if state.status in ("submitted", "awaiting_consent") and pending:
            return "consent", sorted(state.positions).index(pending[0])
        if state.status == "cleared":
            if state.slot is None or state.slot.declined:
                return "propose", 0
            waiting = [p for p in sorted(state.required) if p not in state.slot.answers]
            return "confirm", sorted(state.required).index(waiting[0]) if waiting else 0
        phase = state.legs["leg-1"].phase
        return {"planned": ("arrive", 0), "arrived": ("inspect", 1), "held": ("inspect", 0), "cleared": ("go", 0),
                "released": ("depart", 0), "in_transit": ("deliver", 0)}.get(phase, ("cancel", 0))

    def submit(self, who, choice, plan):
        route = "road-a" if choice % 2 else "road-b"
        plan = f"{self.prefix}-p{len(self.plans)}"
        lines = [{"id": f"l{n}", "item": f"Item {n}", "category": ["food", "wash", "health"][(choice + n) % 3],
                  "quantity": 10 + n, "unit": "kg", "weight_kg": 100 * (choice + n)} for n in range(1 + choice % 3)]
        legs = [{"id": "leg-1", "route": route, "lines": lines,
                 "vehicles": [{"id": "v1", "plate": f"P-{choice}", "type": "truck"}]}]
        record_as(["org-a", "org-b"][who % 2], "plan.submit", {"legs": legs}, plan=plan)
        self.plans.append(plan)

    def _state(self, plan):
        return current_fold().state.plans[plan]

    def consent(self, who, choice, plan):
        state = self._state(plan)
        party = sorted(state.positions)[who % len(state.positions)]
        record_as(party, "plan.consent", {"version": state.version}, plan=plan)

    def refuse(self, who, choice, plan):
        state = self._state(plan)
        party = sorted(state.positions)[who % len(state.positions)]
        lines = [{"leg": "leg-1", "line": "l0"}][: choice % 2]
        record_as(party, "plan.refuse", {"version": state.version, "reason": "security", "lines": lines}, plan=plan)

    def propose(self, who, choice, plan):
        start = _clock[0] + 600
        record_as(self._state(plan).requester, "slot.propose",
                  {"slot": f"s{choice}", "start": format_time(start), "end": format_time(start + 7200)}, plan=plan)

    def confirm(self, who, choice, plan):
        state = self._state(plan)
        record_as(sorted(state.required)[who % len(state.required)], "slot.confirm", {"slot": state.slot.id},
                  plan=plan)

    def arrive(self, who, choice, plan):
        state = self._state(plan)
        gate = ROUTES[state.content.legs[0].route][0]
        record_as(state.requester, "leg.arrive", {"leg": "leg-1", "checkpoint": gate}, plan=plan)

    def inspect(self, who, choice, plan):
        record_as(["border", "customs"][who % 2], "leg.inspect", {
            "leg": "leg-1", "checkpoint": "lachin-checkpoint", "findings": [],
            "decision": ["cleared", "held", "cleared"][choice % 3]}, plan=plan)

    def go(self, who, choice, plan):
        record_as("escort", "plan.go", {}, plan=plan)

    def depart(self, who, choice, plan):
        record_as("escort", "leg.depart", {"leg": "leg-1"}, plan=plan)

    def deliver(self, who, choice, plan):
        carried = self._state(plan).legs["leg-1"].carried
        receipts = [{"line": line, "good": max(quantity - choice % 2, 0), "damaged": choice % 2}
                    for line, quantity in carried.items()]
        record_as("recv", "leg.deliver", {"leg": "leg-1", "receipts": receipts}, plan=plan)

    def cancel(self, who, choice, plan):
        record_as(self._state(plan).requester, "plan.cancel", {"text": "=no longer needed"}, plan=plan)

    def incident(self, who, choice, plan):
        place = {"name": f"Km {choice}"} | ({"lat": f"39.{choice}0", "lon": "46.5"} if choice % 2 else {})
        record_as(PARTIES[who], "incident.report", {
            "incident": f"{self.prefix}-i{choice}", "category": "mines_uxo", "place": place,
            "occurred_from": format_time(_clock[0] - 3600), "text": f"Claim {choice}"})

    def dispute(self, who, choice, plan):
        record_as(PARTIES[who], "incident.dispute", {"incident": f"{self.prefix}-i{choice}", "text": "Denied"})

    def attest(self, who, choice, plan):
        line = FLOUR | ({"weight_kg": None} if choice % 3 == 0 else {"weight_kg": 1000 * choice})
        attest(line, passage=f"{self.prefix}-a{choice}", at=_clock[0], received=format_time(_clock[0])[:10])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(steps=random_steps, prefix=st.uuids())
def test_random_histories_every_table_byte_identical(parties, tiles, tmp_path, capsys, steps, prefix):
    history = RandomHistory(prefix.hex[:8])
    for kind, who, choice, gap in steps:
        _clock[0] += gap
        with clock.frozen_at(_clock[0]), guarded():
            history.step(kind, who, choice)
    size, trust = publish(tmp_path)
    served = downloads(size)
    out = tmp_path / f"audit-{prefix.hex[:8]}"
    assert audit(tiles, trust, out) == 0, capsys.readouterr().err
    assert audited_files(out) == served
