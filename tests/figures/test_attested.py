"""Attested figures: a weight the source did not give is unknown, never 0; every tonnes figure covers exactly
the records it counts in `weighed`; the attestations table keeps each line as the source gave it; the public
page's dataset sections come from the stats rows, one per dataset, without the passages parties signed."""

from __future__ import annotations

import json
from decimal import Decimal

import msgspec

from corridor.engine import Party, State
from corridor.engine.state import Attestation
from corridor.engine.statements import AttestPassage
from corridor.figures.attested import attestation_rows, attested_stats, dataset_sections, dataset_sources

SOURCE = Party(id="trucks-src", name="A trucking source", kind="source")


def record(passage: str, *lines: dict, crossing: str = "Gate", **claim) -> Attestation:
    payload = {"passage": passage, "dataset": "trucks", "reference": passage, "crossing": crossing,
               "lines": list(lines)} | claim
    return Attestation(source=SOURCE.id, claim=msgspec.convert(payload, AttestPassage), attested_at=1700000000)


def state(*records: Attestation) -> State:
    return State(parties={SOURCE.id: SOURCE}, attestations={r.claim.passage: r for r in records})


def line(category: str, weight: int | None, unit: str = "MT", **more) -> dict:
    return {"item": category, "category": category, "quantity": 1, "unit": unit, "weight_kg": weight} | more


def stats_of(st: State) -> dict[tuple[str, str], dict]:
    return {(row["dimension"], row["key"]): row for row in attested_stats(st)}


def test_an_unknown_weight_adds_nothing_and_a_passage_is_weighed_only_if_every_line_is():
    st = state(record("a", line("flour", 1000), line("rice", None), received="2024-01-01"),
               record("b", line("flour", 2500), received="2024-01-01"),
               record("c", line("rice", None, "Pallets"), received="2024-01-02"))
    rows = stats_of(st)
    total = rows["total", "all"]
    assert (total["passages"], total["weighed"], total["tonnes"]) == (3, 1, Decimal("2.5"))  # "a" is partial
    assert (rows["commodity", "flour"]["weighed"], rows["commodity", "flour"]["tonnes"]) == (2, Decimal("3.5"))
    assert (rows["commodity", "rice"]["weighed"], rows["commodity", "rice"]["tonnes"]) == (0, Decimal(0))
    assert rows["day", "2024-01-01"]["weighed"] == 1 and rows["day", "2024-01-02"]["passages"] == 1
    assert rows["month", "2024-01"]["passages"] == 3


def test_two_lines_of_one_passage_in_one_group_count_once_and_only_if_both_are_weighed():
    st = state(record("a", line("flour", 1000), line("flour", None)), record("b", line("flour", 1000),
                                                                             line("flour", 500)))
    flour = stats_of(st)["commodity", "flour"]
    assert (flour["passages"], flour["weighed"], flour["tonnes"]) == (2, 1, Decimal("1.5"))


def test_the_attestations_table_keeps_each_line_as_given_with_its_published_row():
    published = {"Quantity": "29", "Units": "Pallets", "ID": "7"}
    st = state(record("t-7", line("flour", None, "Pallets", quantity=29, published=published), received="2024-01-01"))
    (row,) = attestation_rows(st)
    assert (row["dataset"], row["reference"], row["received"], row["crossing"]) == ("trucks", "t-7", "2024-01-01",
                                                                                   "Gate")
    assert (row["quantity"], row["unit"], row["weight_kg"]) == (29, "Pallets", None)
    assert json.loads(row["published"]) == published
    assert row["published"] == '{"ID":"7","Quantity":"29","Units":"Pallets"}'  # RFC 8785: sorted, compact


def test_dataset_sections_one_per_dataset_named_by_its_source_without_the_signed_passages():
    st = state(record("a", line("flour", 20_000), received="2024-01-01"),
               record("b", line("flour", None, "Pallets"), received="2024-02-03", crossing="Rafah"))
    stats = [{"source": "corridor", "dimension": "route", "key": "road-a", "passages": 2, "tonnes": Decimal(5),
              "weighed": 2, "median_days": None}, *attested_stats(st)]
    (section,) = dataset_sections(stats, dataset_sources(st))
    assert (section["dataset"], section["source"], section["source_name"]) == ("trucks", "trucks-src",
                                                                               "A trucking source")
    assert section["total"] == {"key": "all", "passages": 2, "weighed": 1, "tonnes": 20, "median_days": None}
    assert (section["first_month"], section["last_month"], section["medians"]) == ("2024-01", "2024-02", False)
    assert [(row["key"], row["weighed"]) for row in section["crossing"]] == [("Gate", 1), ("Rafah", 0)]
    assert json.loads(json.dumps(section)) == section  # plain JSON: the published summary keeps it as is


def test_page_tonnes_are_whole_rounded_half_to_even_and_medians_are_numbers():
    stats = [{"source": "d", "dimension": "total", "key": "all", "passages": 2, "tonnes": Decimal("12.5"),
              "weighed": 2, "median_days": None},
             {"source": "d", "dimension": "month", "key": "2023-01", "passages": 2, "tonnes": Decimal("13.5"),
              "weighed": 2, "median_days": Decimal("2.5")}]
    (section,) = dataset_sections(stats, {})
    assert (section["total"]["tonnes"], section["month"][0]["tonnes"]) == (12, 14)
    assert section["month"][0]["median_days"] == 2.5 and section["medians"] and section["source_name"] == "d"
