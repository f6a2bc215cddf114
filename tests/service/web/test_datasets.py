"""The public page shows each imported dataset on its own, as figures its named source attested, apart from
the passages the parties signed, and every tonnes figure says how many records it covers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from corridor.service.imports.attest import ImportReport, ensure_source, record_attestations
from corridor.service.imports.bsgi import import_bsgi
from corridor.service.ledger.integrator import integrate_now

from ..data import shared_data

pytestmark = pytest.mark.django_db(transaction=True)


def truck(n: int, unit: str, weight: int | None, crossing: str = "Kerem Shalom") -> dict:
    return {"passage": f"t-{n}", "dataset": "trucks", "reference": str(n), "crossing": crossing,
            "received": f"2024-01-{n:02d}", "lines": [{"item": "Flour", "quantity": 20, "unit": unit,
                                                       "weight_kg": weight, "published": {"ID": str(n)}}]}


def import_trucks() -> None:
    ensure_source("trucks-src", "A trucking source")
    records = [truck(1, "MT", 20_000), truck(2, "Pallets", None), truck(3, "Pallets", None, "Rafah"),
               truck(4, "Pallets", None, "Rafah")]
    record_attestations("trucks-src", records, ImportReport("t"), lambda message: None)


def sections_of(page: str) -> dict[str, str]:
    """Each dataset's section of the page, by its dataset id."""
    opening = re.compile(r'<section class="dataset"[^>]*data-dataset="([^"]+)"')
    starts = [(m.start(), m.group(1)) for m in opening.finditer(page)]
    ends = [start for start, _ in starts[1:]] + [page.index('id="map-title"')]
    return {name: page[start:end] for (start, name), end in zip(starts, ends, strict=True)}


def public_page() -> str:
    """The page as it reads the figures published at the log's checkpoint."""
    integrate_now()
    return Client().get("/").content.decode()


def test_each_dataset_has_its_own_section_named_by_its_source_with_its_coverage(tiles):
    import_bsgi(shared_data("bsgi/bsgi_outbound_shipments.csv"), progress=lambda message: None)
    import_trucks()
    page = public_page()
    sections = sections_of(page)
    assert list(sections) == ["bsgi", "trucks"]
    bsgi, trucks = sections["bsgi"], sections["trucks"]
    assert "Black Sea Grain Initiative JCC vessel movements (data source)" in bsgi and "bsgi-jcc" in bsgi
    assert "31,744,756 t from 981 of 981 records with a weight" in bsgi
    assert "Records from 2022-08 to 2023-06." in bsgi and "Median days" in bsgi and "Median days" not in trucks
    assert "A trucking source" in trucks and "Black Sea" not in trucks
    assert "20 t from 1 of 4 records with a weight" in trucks
    rafah = trucks[trucks.index("<th scope=\"row\">Rafah</th>"):].split("</tr>")[0]
    assert re.findall(r"<td>([^<]*)</td>", rafah) == ["2", "—", "0"]  # no weight given: unknown, not 0 t


def test_the_tonnes_of_a_dataset_are_said_once_with_their_coverage(tiles):
    import_trucks()
    trucks = sections_of(public_page())["trucks"]
    figures = trucks[trucks.index('<dl class="figures">'):trucks.index("</dl>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", figures).split())
    assert text == "Records 4 Tonnes 20 t from 1 of 4 records with a weight"


def test_attested_records_are_never_counted_among_the_passages_the_parties_signed(tiles):
    import_trucks()
    page = public_page()
    totals = page[page.index('id="totals"'):page.index('id="waiting"')]
    assert re.findall(r"<dd>(\d+)</dd>", totals) == ["0", "0", "0"]  # passages requested, vehicles, tonnes
    assert page.index('id="datasets"') > page.index('id="stages"')


def test_a_page_with_no_dataset_says_so(tiles):
    assert "No dataset has been imported." in public_page()
