"""The BSGI import reproduces the file's own totals exactly, and is idempotent."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from corridor.service.exports.published import log_tables
from corridor.service.imports.bsgi import import_bsgi
from corridor.service.passages.models import Attestation, Plan, Position

from ..data import shared_data

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
