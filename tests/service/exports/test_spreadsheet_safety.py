"""CSV and HXL downloads never carry a formula a spreadsheet would run (OWASP "CSV injection"): every
text cell that begins with = + - @, a tab or a carriage return is written with a leading apostrophe, in
every table, through the API and `corridor export`. Numbers stay numbers; JSON stays exact."""

from __future__ import annotations

import csv
import io

import pytest
import yaml
from django.test import Client

from corridor.cli import main
from corridor.figures import formats, tables
from corridor.service import clock
from corridor.service.demo import seed
from corridor.service.guard import guarded
from corridor.service.ledger.integrator import integrate_now

from ..api_driver import drive
from ..conftest import SCENARIO, PartyClient
from .audited import FLOUR, attest

pytestmark = pytest.mark.django_db(transaction=True)
AFTER = 1695081600  # 2023-09-19
ATTACKS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1", "\r=1"]
TEXT_KEYS = {"name", "item", "unit", "text", "category", "destination", "Item"}


def hostile(value: str, n: int) -> str:
    return ATTACKS[n % len(ATTACKS)] + " " + value


def poison(node, counter=None, parent_key: str = ""):
    """The scenario with every free-text value (names, items, units, texts, line categories) made hostile."""
    counter = counter if counter is not None else [0]
    if isinstance(node, dict):
        return {key: poison(value, counter, key) for key, value in node.items()}
    if isinstance(node, list):
        return [poison(value, counter, parent_key) for value in node]
    if isinstance(node, str) and parent_key in TEXT_KEYS:
        counter[0] += 1
        return hostile(node, counter[0])
    return node


@pytest.fixture
def hostile_log(tmp_path, db, tiles):
    scenario = yaml.safe_load(SCENARIO.read_text())
    scenario["parties"] = poison(scenario["parties"])
    scenario["routes"] = poison(scenario["routes"])
    scenario["statements"] = [{**poison(s), "category": s["category"]} if s["do"] == "incident.report" else poison(s)
                              for s in scenario["statements"]]
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True))
    with clock.frozen_at(1694390400), guarded():
        accounts = seed(path)
    drive(path, {party: PartyClient(party, token) for _, party, _, token in accounts})
    attest(poison(FLOUR), carrier=hostile("MV Sample", 1), origin=hostile("Port", 2))
    integrate_now()  # the downloads are the figures at the published checkpoint


def cells(text: str) -> list[str]:
    """Every cell below the checkpoint row: that row is the log's own signed values, written verbatim (a
    base64 root begins with "+" one time in 64; see docs/figures.md), never a party's text."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][0] == "#checkpoint"
    return [cell for row in rows[1:] for cell in row]


def unsafe_cells(text: str) -> list[str]:
    return [cell for cell in cells(text)
            if cell.startswith(formats.FORMULA_START) and not formats.NUMBER.fullmatch(cell)]


@pytest.mark.parametrize("name", tables.TABLES)
def test_no_download_of_any_table_carries_a_formula(hostile_log, name, tmp_path):
    client = Client()
    for fmt in ("csv", "hxl"):
        with clock.frozen_at(AFTER):
            text = client.get(f"/api/v1/export/{name}.{fmt}").content.decode()
            assert main(["export", name, "--format", fmt, "-o", str(tmp_path / "out.csv")]) == 0
        with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
            from_cli = handle.read()
        for written in (text, from_cli):
            assert unsafe_cells(written) == [], (name, fmt)
            neutralised = [cell for cell in cells(written) if cell.startswith("'")]
            assert neutralised, f"{name}.{fmt}: no hostile text reached this table; the test proves nothing"


def test_json_carries_the_text_exactly(hostile_log):
    with clock.frozen_at(AFTER):
        lines = Client().get("/api/v1/export/lines.json").json()["rows"]
    assert any(line["item"].startswith(tuple(ATTACKS)) for line in lines)
