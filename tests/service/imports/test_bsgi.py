"""The BSGI import reproduces the file's own totals exactly, and is idempotent."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from corridor.service.exports.published import log_tables
from corridor.service.imports.bsgi import import_bsgi
from corridor.service.passages.models import Attestation, AttestedLine, Plan, Position

from ..data import shared_data
from .log_lines import lines_on_the_log

pytestmark = pytest.mark.django_db


def stat_rows():
    return log_tables()["stats"]


def file_totals(path):
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    tonnes = sum(int(r["Metric tons"].replace(",", "")) for r in rows)
    voyages = {r["#"] for r in rows}
    by_month = Counter()
    for r in rows:
        by_month[r["Departure date"][-8:]] += int(r["Metric tons"].replace(",", ""))
    return len(voyages), tonnes, by_month


def stats(dimension):
    return {row["key"]: row for row in stat_rows() if row["source"] == "bsgi" and row["dimension"] == dimension}


def test_import_gives_the_files_totals_by_voyage_month_commodity_and_destination():
    path = shared_data("bsgi/bsgi_outbound_shipments.csv")
    report = import_bsgi(path, progress=lambda message: None)
    voyages, tonnes, by_month = file_totals(path)
    assert (report.added, report.unreadable) == (voyages, [])
    assert (voyages, tonnes) == (981, 31_744_756)
    assert stats("total")["all"]["passages"] == 981 and stats("total")["all"]["tonnes"] == 31_744_756
    months = {row["key"]: row["tonnes"] for row in stats("month").values()}
    assert sum(months.values()) == tonnes and len(months) == len(by_month)
    destinations = {
        f"{r['Country']} / {r['Commodity']}": int(r["total metric tons"].replace(",", ""))
        for r in csv.DictReader(shared_data("bsgi/bsgi_destinations.csv").open(encoding="utf-8-sig"))
    }
    assert {key: row["tonnes"] for key, row in stats("destination / commodity").items()} == destinations


def test_monthly_median_days_from_departure_to_inspection_cleared():
    import_bsgi(shared_data("bsgi/bsgi_outbound_shipments.csv"), progress=lambda message: None)
    months = stats("month")
    assert months["2022-10"]["median_days"] == 15.0  # the October 2022 backlog
    assert all(row["median_days"] is not None for row in months.values())


def test_an_import_is_an_attestation_never_a_consent_and_importing_again_adds_nothing():
    path = shared_data("bsgi/bsgi_outbound_shipments.csv")
    import_bsgi(path, progress=lambda message: None)
    again = import_bsgi(path, progress=lambda message: None)
    assert (again.added, again.skipped) == (0, 981)
    assert Attestation.objects.count() == 981
    assert Plan.objects.count() == 0 and Position.objects.count() == 0
    voyage = Attestation.objects.get(passage="bsgi-981")
    assert voyage.source_id == "bsgi-jcc" and voyage.source.kind == "source"
    assert sorted(voyage.lines.values_list("destination", flat=True)) == ["France", "Spain"]


def test_rows_that_cannot_be_read_are_reported_and_the_rest_imported(tmp_path):
    lines = shared_data("bsgi/bsgi_outbound_shipments.csv").read_text(encoding="utf-8").splitlines()
    broken = [lines[0], lines[1].replace("14-Jun-2023", "31-Foo-2023"), *lines[3:20]]
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(broken) + "\n")
    report = import_bsgi(path, progress=lambda message: None)
    voyages = [line for line in lines[3:20] if line.startswith("Outbound,")]
    assert report.added == len(voyages) and len(report.unreadable) == 1
    assert "row 2: Departure date '31-Foo-2023' is not a date" in report.unreadable[0]


def as_cells(row: dict) -> tuple:
    return tuple(sorted(row.items()))


def tonnes(text: str) -> int:
    return int(text.replace(",", ""))


def test_every_column_the_file_publishes_is_on_the_log_as_written():
    path = shared_data("bsgi/bsgi_outbound_shipments.csv")
    import_bsgi(path, progress=lambda message: None)
    file_rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    published = [line["published"] for line in lines_on_the_log("bsgi")]
    assert len(published) == len(file_rows) == 1120 and set(published[0]) == set(file_rows[0])
    assert sorted(map(as_cells, published)) == sorted(map(as_cells, file_rows))  # every cell, untouched
    beyond_ours = {"WFP", "Income group", "Flag", "World Bank region", "UN region", "Development category"}
    assert beyond_ours <= set(published[0])


def test_the_wfp_tonnage_and_income_groups_are_derived_again_from_the_published_columns():
    path = shared_data("bsgi/bsgi_outbound_shipments.csv")
    import_bsgi(path, progress=lambda message: None)
    file_rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    lines = list(lines_on_the_log("bsgi"))
    wfp = sum(tonnes(line["published"]["Metric tons"]) for line in lines if line["published"]["WFP"] == "WFP")
    assert wfp == sum(tonnes(row["Metric tons"]) for row in file_rows if row["WFP"] == "WFP") == 625_169
    assert sum(line["weight_kg"] for line in lines if line["published"]["WFP"] == "WFP") == wfp * 1000
    by_income, expected = Counter(), Counter()
    for line in lines:
        by_income[line["published"]["Income group"]] += line["weight_kg"] // 1000
    for row in csv.DictReader(shared_data("bsgi/bsgi_destinations.csv").open(encoding="utf-8-sig")):
        expected[row["Income group"]] += tonnes(row["total metric tons"])
    assert by_income == expected and by_income["low-income"] == 802_086


def test_every_bsgi_weight_is_known_so_the_tonnes_cover_every_voyage():
    import_bsgi(shared_data("bsgi/bsgi_outbound_shipments.csv"), progress=lambda message: None)
    assert not Attestation.objects.filter(weight_kg__isnull=True).exists()
    assert not AttestedLine.objects.filter(weight_kg__isnull=True).exists()
    assert all(row["weighed"] == row["passages"] for row in stat_rows() if row["source"] == "bsgi")
