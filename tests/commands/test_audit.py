"""`corridor audit` and `corridor log entries` as an outsider runs them against a running service: over HTTP,
at the latest and at an earlier published size, comparing with the service's downloads; naming every row
that differs; failing with stable codes; never touching Django or a database."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from corridor.cli import main
from corridor.service.exports import published
from tests.service.api_driver import drive
from tests.service.conftest import SCENARIO
from tests.service.exports.audited import FLOUR, PALLETS, attest, downloads, publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def grown(parties, tiles, tmp_path):
    """The two-roads example published at one size, a copy of its tiles then, and an import published after."""
    drive(SCENARIO, parties)
    first, trust = publish(tmp_path)
    shutil.copytree(tiles, tmp_path / "tiles-then")
    attest(FLOUR, PALLETS)
    latest, _ = publish(tmp_path)
    assert latest > first
    return first, latest, trust


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_audit_over_http_at_the_latest_and_an_earlier_size_matches_the_service(grown, live_server, tmp_path, capsys):
    first, latest, trust = grown
    log = f"{live_server.url}/log"
    code, out, err = run(capsys, "audit", log, "--trust", trust, "--out", tmp_path / "now",
                         "--compare", live_server.url)
    assert code == 0, err
    assert f"at size {latest}" in out and "identical, byte for byte (25 files)" in out
    code, out, err = run(capsys, "audit", log, "--trust", trust, "--out", tmp_path / "then", "--at", first,
                         "--compare", live_server.url)
    assert code == 0, err
    assert f"at size {first}" in out and "identical" in out
    assert (tmp_path / "then" / "checkpoint").read_text().split("\n")[1] == str(first)
    assert b"sample" not in (tmp_path / "then" / "attestations.csv").read_bytes()  # imported after that size
    code, out, err = run(capsys, "audit", tmp_path / "tiles-then", "--trust", trust, "--out", tmp_path / "copy",
                         "--compare", live_server.url)  # a mirror of the log as it was then
    assert code == 0, err
    assert (tmp_path / "copy" / "plans.json").read_bytes() == (tmp_path / "then" / "plans.json").read_bytes()


def test_compare_names_every_row_that_differs(grown, live_server, tmp_path, capsys):
    _, latest, trust = grown
    downloads(latest)  # the service computed its figures at that size
    [folder] = [p for p in published.root().iterdir() if p.name.startswith(f"{latest}-")]
    waiting = folder / "waiting.csv"
    waiting.write_bytes(waiting.read_bytes().replace(b",543300\r\n", b",86400\r\n"))
    plans = folder / "plans.json"
    plans.write_bytes(plans.read_bytes().replace(b'"status": "completed"', b'"status": "cancelled"', 1))
    code, out, err = run(capsys, "audit", f"{live_server.url}/log", "--trust", trust, "--out", tmp_path / "a",
                         "--compare", live_server.url)
    assert code == 1 and "[compare.differs] 2 differences" in err
    assert "waiting.csv: plan=two-roads, party=recv: waited_seconds: ours '543300', theirs '86400'" in out
    assert "plans.json: plan=truck-b: status: ours 'completed', theirs 'cancelled'" in out


def test_compare_checks_the_public_page_and_the_api_figures(grown, live_server, client, tmp_path, capsys):
    _, latest, trust = grown
    code, _, err = run(capsys, "audit", f"{live_server.url}/log", "--trust", trust, "--out", tmp_path / "a",
                       "--compare", live_server.url)
    assert code == 0, err
    ours = json.loads((tmp_path / "a" / "summary.json").read_bytes())
    assert client.get("/api/v1/export/summary.json").content == (tmp_path / "a" / "summary.json").read_bytes()
    # what the API shows is what the compared files hold
    assert client.get("/api/v1/waiting/board").json() == {"checkpoint": ours["checkpoint"], "results": ours["board"]}
    stats = json.loads((tmp_path / "a" / "stats.json").read_bytes())
    assert client.get("/api/v1/stats").json() == {"checkpoint": stats["checkpoint"], "results": stats["rows"]}
    [folder] = [p for p in published.root().iterdir() if p.name.startswith(f"{latest}-")]
    summary = json.loads((folder / "summary.json").read_text())
    summary["totals"]["tonnes"] = 99999
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False))
    assert published.page_summary()["totals"]["tonnes"] == 99999  # what the page shows
    code, out, err = run(capsys, "audit", f"{live_server.url}/log", "--trust", trust, "--out", tmp_path / "b",
                         "--compare", live_server.url)
    assert code == 1 and "[compare.differs] 1 differences" in err
    assert "summary.json: (file): ours '', theirs 'differs from byte" in out


def test_audit_needs_no_django_nor_any_database(grown, tiles, tmp_path):
    _, _, trust = grown
    script = ("import sys\nfrom corridor.cli import main\n"
              f"code = main(['audit', {str(tiles)!r}, '--trust', {str(trust)!r}, '--out', {str(tmp_path / 'o')!r}])\n"
              "assert not [m for m in sys.modules if m.split('.')[0] in ('django', 'psycopg')], 'django imported'\n"
              "sys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "stats.hxl.csv").is_file()


def test_failures_have_stable_codes(grown, live_server, tiles, tmp_path, capsys):
    first, latest, trust = grown
    log = f"{live_server.url}/log"
    cases = [
        (["--at", first - 1], "[size.unpublished]"),
        (["--at", first - 1], "lists them at /log/checkpoints"),
        (["--at", latest + 5], "[size.beyond]"),
    ]
    for extra, code_text in cases:
        code, _, err = run(capsys, "audit", log, "--trust", trust, "--out", tmp_path / "x", *extra)
        assert code == 1 and code_text in err, err
    code, _, err = run(capsys, "audit", log, "--trust", tmp_path / "none.txt", "--out", tmp_path / "x")
    assert code == 1 and "[trust.invalid]" in err
    no_registrar = tmp_path / "no-registrar.txt"
    no_registrar.write_text("".join(line + "\n" for line in trust.read_text().splitlines()
                                    if not line.startswith("registrar")))
    code, _, err = run(capsys, "audit", tiles, "--trust", no_registrar, "--out", tmp_path / "x")
    assert code == 1 and "[log.unverified]" in err and "key.unknown" in err  # the registrar's own entries fail
    tile = next(p for p in (tiles / "tile" / "0").rglob("*") if p.is_file())
    tile.write_bytes(b"\x00" * len(tile.read_bytes()))
    code, _, err = run(capsys, "audit", tiles, "--trust", trust, "--out", tmp_path / "x")
    assert code == 1 and "[log.unverified] the log does not verify: tile/0/" in err
    code, _, err = run(capsys, "audit", tmp_path / "tiles-then", "--trust", trust, "--out", tmp_path / "x",
                       "--compare", "http://127.0.0.1:9")
    assert code == 1 and "[compare.unreachable]" in err


def test_log_entries_lists_the_verified_statements(grown, live_server, capsys):
    _, latest, trust = grown
    log = f"{live_server.url}/log"
    code, out, _ = run(capsys, "log", "entries", log, "--trust", trust, "--json")
    entries = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [e["index"] for e in entries] == list(range(latest))
    submit = next(e for e in entries if e["type"] == "plan.submit")
    assert submit["party"] == "org-a" and submit["signed_by"] == "custodial" and submit["member"] is None
    assert submit["statement"]["plan"] == "two-roads" and "payload" in submit["statement"]
    assert entries[0]["signed_by"] == "registrar"
    code, out, err = run(capsys, "log", "entries", log, "--from", 10, "--to", 12)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3 and lines[0].split()[0] == "10"
    assert "trust read from" in err  # no --trust: the log's own trust file, and it says so

