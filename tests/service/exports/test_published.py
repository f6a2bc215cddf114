"""The service publishes its figures at checkpoint sizes: computed by the worker after it publishes (at most
every 30 s), or on the first request for a size the log signed; each file and response names its checkpoint;
other sizes are refused with a stable code; old sizes are pruned; the public page reads them."""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client

from corridor.service.exports import published
from corridor.service.ledger import views as log_views
from corridor.service.ledger.integrator import integrate_now

from ..api_driver import drive
from ..conftest import SCENARIO
from .audited import FLOUR, attest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_roads(parties, tiles):
    drive(SCENARIO, parties)
    integrate_now()
    return published.published_size()


def test_before_any_checkpoint_there_are_no_figures(db, tiles, public):
    answer = public.get("/api/v1/export/plans.csv")
    assert (answer.status_code, answer.json()["code"]) == (404, "export.unpublished")
    assert public.get("/api/v1/waiting/board").json() == {"checkpoint": None, "results": []}


def test_a_download_names_its_checkpoint_in_the_file_and_the_headers(two_roads, public):
    answer = public.get("/api/v1/export/waiting.csv")
    origin, size, root = answer.content.decode().split("\r\n")[0].split(",")[1:]
    assert (answer["Corridor-Log-Origin"], answer["Corridor-Log-Size"], answer["Corridor-Log-Root"]) == (
        origin, str(two_roads), root)
    assert answer["Content-Disposition"] == f'attachment; filename="corridor-{two_roads}-waiting.csv"'
    note = public.get(f"/log/checkpoint.{two_roads}").content.decode()
    assert note.split("\n")[:3] == [origin, size, root]


def test_a_size_without_a_signed_checkpoint_is_refused(two_roads, public):
    for size in (two_roads - 1, two_roads + 1):
        answer = public.get("/api/v1/export/plans.json", {"size": size})
        assert (answer.status_code, answer.json()["code"]) == (404, "export.size_unpublished")
        assert public.get(f"/log/checkpoint.{size}").status_code == 404


def test_an_earlier_size_stays_as_it_was(two_roads, public):
    before = public.get("/api/v1/export/attestations.json").content
    attest(FLOUR)
    integrate_now()
    latest = published.published_size()
    assert public.get("/api/v1/export/attestations.json", {"size": two_roads}).content == before
    assert json.loads(public.get("/api/v1/export/attestations.json", {"size": latest}).content)["rows"]
    assert public.get(f"/log/checkpoint.{two_roads}")["Cache-Control"] == "public, max-age=31536000, immutable"
    stats = public.get("/api/v1/stats", {"size": two_roads}).json()
    assert stats["checkpoint"]["size"] == two_roads and all(row["source"] == "corridor" for row in stats["results"])


def test_the_signed_sizes_are_listed_newest_first_a_bounded_page_at_a_time(two_roads, public, monkeypatch):
    attest(FLOUR)
    integrate_now()
    latest = published.published_size()
    listing = public.get("/log/checkpoints").json()
    assert listing["published"] == latest and listing["sizes"][0] == latest and two_roads in listing["sizes"]
    assert listing["sizes"] == sorted(listing["sizes"], reverse=True) and listing["next_before"] is None
    for size in listing["sizes"]:
        assert public.get(f"/log/checkpoint.{size}").status_code == 200
    monkeypatch.setattr(log_views, "CHECKPOINTS_PAGE", 1)
    first = public.get("/log/checkpoints").json()
    assert first["sizes"] == [latest] and first["next_before"] == latest
    second = public.get("/log/checkpoints", {"before": latest}).json()
    assert second["sizes"] == listing["sizes"][1:2]
    answer = public.get("/log/checkpoints", {"before": "x"})
    assert (answer.status_code, answer.json()["code"]) == (400, "checkpoints.before")


def test_the_worker_publishes_figures_at_most_every_30_seconds(two_roads, monkeypatch):
    folder = published.refresh()
    assert folder.name.startswith(f"{two_roads}-") and (folder / "plans.hxl.csv").is_file()
    assert (published.root() / "latest").read_text() == folder.name
    attest(FLOUR)
    integrate_now()
    assert published.refresh() is None  # too soon
    grown = published.refresh(force=True)
    assert grown.name.startswith(f"{published.published_size()}-")
    assert [p.name for p in published.root().iterdir() if p.name.startswith(".")] == []  # no half-written one
    assert published.latest() == grown


def test_old_sizes_are_pruned_but_the_latest_kept(two_roads, monkeypatch):
    monkeypatch.setattr(published, "KEEP", 2)
    for n in range(3):
        attest(FLOUR, passage=f"p{n}")
        integrate_now()
        published.refresh(force=True)
    sizes = sorted(int(p.name.split("-")[0]) for p in published.root().iterdir() if p.name[0].isdigit())
    assert len(sizes) == 2 and sizes[-1] == published.published_size()


def test_figures_at_older_sizes_are_computed_a_few_a_minute(two_roads, monkeypatch, public):
    monkeypatch.setattr(published, "ON_DEMAND_PER_MINUTE", 1)
    attest(FLOUR)
    integrate_now()
    middle = published.published_size()
    attest(FLOUR, passage="jcc-2")
    integrate_now()
    assert public.get("/api/v1/export/plans.csv", {"size": two_roads}).status_code == 200
    answer = public.get("/api/v1/export/plans.csv", {"size": middle})
    assert (answer.status_code, answer.json()["code"]) == (429, "export.busy")
    assert public.get("/api/v1/export/plans.csv").status_code == 200  # the latest: whenever asked


def test_the_public_page_shows_the_figures_and_names_their_checkpoint(two_roads):
    published.refresh()
    page = Client().get("/").content.decode()
    assert f"computed from the log's first {two_roads} entries" in page
    assert f"/api/v1/export/plans.csv?size={two_roads}" in page
    assert f'href="/log/checkpoint.{two_roads}"' in page
    assert "Receiving authority (Khankendi)" in page  # the waiting-on board


def test_without_a_worker_the_latest_figures_catch_up_after_30_seconds(two_roads, public):
    assert public.get("/api/v1/export/plans.csv")["Corridor-Log-Size"] == str(two_roads)
    attest(FLOUR)
    integrate_now()
    assert public.get("/api/v1/export/plans.csv")["Corridor-Log-Size"] == str(two_roads)  # the worker's to do
    pointer = published.root() / "latest"
    os.utime(pointer, (pointer.stat().st_atime - 60, pointer.stat().st_mtime - 60))
    assert public.get("/api/v1/export/plans.csv")["Corridor-Log-Size"] == str(published.published_size())
