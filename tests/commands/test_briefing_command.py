"""`corridor briefing` on the service's log, and `corridor audit --briefing` on what it wrote: the three
commands of the README, end to end (HTML and PDF; a briefing edited by hand fails)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.cli import main
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import trust_text

from ..service.api_driver import drive
from ..service.conftest import SCENARIO

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(parties, tiles, tmp_path):
    from corridor.service.web.briefings import reset_for_tests

    reset_for_tests()
    drive(SCENARIO, parties)
    integrate_now()
    trust = tmp_path / "trust.txt"
    trust.write_text(trust_text())
    return tiles, trust


def briefing(tmp_path, fmt="html", lang="en") -> Path:
    out = tmp_path / f"briefing-{lang}.{fmt}"
    assert main(["briefing", "--from", "2023-09-11", "--to", "2023-09-19", "--lang", lang, "--format", fmt,
                 "--base-url", "https://corridor.example.org/", "-o", str(out)]) == 0
    return out


def test_a_briefing_written_then_audited(published, tmp_path, capsys):
    tiles, trust = published
    path = briefing(tmp_path)
    assert "at checkpoint" in capsys.readouterr().err
    html = path.read_text(encoding="utf-8")
    assert 'href="https://corridor.example.org/log/entry/' in html
    assert main(["audit", str(tiles), "--trust", str(trust), "--briefing", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: the briefing of 2023-09-11 to 2023-09-19 (en, html)") and "all equal" in out


def test_the_command_reads_a_long_history_itself_rather_than_refusing(published, tmp_path, capsys, monkeypatch):
    """A web request folds at most FOLD_IN_REQUEST entries and says `briefing.preparing` beyond; the command,
    a process of its own whose background fold would end with it, folds them all and writes the briefing."""
    from corridor.service.web import briefings

    monkeypatch.setattr(briefings, "FOLD_IN_REQUEST", 3)
    path = briefing(tmp_path)
    assert "at checkpoint" in capsys.readouterr().err and path.stat().st_size > 0


def test_a_briefing_edited_by_hand_fails_the_audit(published, tmp_path, capsys):
    tiles, trust = published
    path = briefing(tmp_path)
    text = path.read_text(encoding="utf-8")
    edited = text.replace('value="7" data-entries', 'value="9" data-entries', 1).replace(">7</data>", ">9</data>", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert main(["audit", str(tiles), "--trust", str(trust), "--briefing", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "totals/consent: value is 9 in the briefing, 7 from the log" in out
    assert "[briefing.differs]" in err


def test_an_arabic_pdf_is_audited_through_its_embedded_figures(published, tmp_path, capsys):
    tiles, trust = published
    path = briefing(tmp_path, "pdf", "ar")
    assert main(["audit", str(tiles), "--trust", str(trust), "--briefing", str(path)]) == 0
    assert "(ar, pdf)" in capsys.readouterr().out


def test_refusals_have_their_codes(published, tmp_path, capsys):
    tiles, trust = published
    assert main(["briefing", "--from", "2023-09-19", "--to", "2023-09-11", "-o", str(tmp_path / "x.html")]) == 2
    assert "[briefing.period]" in capsys.readouterr().err
    assert main(["briefing", "--from", "2023-01-01", "--to", "9999-12-31", "-o", str(tmp_path / "x.html")]) == 2
    assert "[briefing.period]" in capsys.readouterr().err
    assert main(["briefing", "--from", "2000-01-01", "--to", "2023-12-31", "-o", str(tmp_path / "x.html")]) == 2
    assert "[briefing.period-too-long]" in capsys.readouterr().err
    (tmp_path / "nothing.html").write_text("<html></html>")
    assert main(["audit", str(tiles), "--trust", str(trust), "--briefing", str(tmp_path / "nothing.html")]) == 1
    assert "[briefing.invalid]" in capsys.readouterr().err
    assert main(["audit", str(tiles), "--trust", str(trust), "--briefing", str(tmp_path / "missing.html")]) == 1
    assert "[briefing.unreadable]" in capsys.readouterr().err
    assert main(["audit", str(tiles), "--trust", str(trust)]) == 2


@pytest.mark.django_db(transaction=True)
def test_a_briefing_is_audited_at_its_own_checkpoint_after_the_log_grew(published, parties, tmp_path, capsys,
                                                                         live_server):
    """Over HTTP, the log's signed checkpoint for the briefing's size (GET /log/checkpoint.<N>) cuts the grown
    log where the briefing was computed."""
    from corridor.service import clock

    from ..service.plans import plan_body

    tiles, trust = published
    path = briefing(tmp_path)
    with clock.frozen_at(1695085200):
        assert parties["org-a"].post("/plans", plan_body("later"))[0] == 201
    integrate_now()
    assert int((tiles / "checkpoint").read_text().split("\n")[1]) > 55
    capsys.readouterr()
    log = f"{live_server.url}/log"
    assert main(["audit", log, "--trust", str(trust), "--briefing", str(path)]) == 0, capsys.readouterr()
    assert "size 55" in capsys.readouterr().out
    assert main(["audit", str(tiles), "--trust", str(trust), "--briefing", str(path)]) == 1  # no checkpoint.55 file
    assert "[size.unpublished]" in capsys.readouterr().err


def test_an_unverifiable_text_exits_with_its_own_code(published, tmp_path, capsys):
    from corridor.briefing.render import generator

    tiles, trust = published
    path = briefing(tmp_path)
    text = path.read_text(encoding="utf-8").replace(generator(), "corridor 0.0.1")
    path.write_text(text.replace("Who was waited on, and for how long", "Who obstructed the convoy", 1))
    capsys.readouterr()
    assert main(["audit", str(tiles), "--trust", str(trust), "--briefing", str(path)]) == 3
    out, err = capsys.readouterr()
    assert "OK" not in out and "[briefing.unverified]" in err and "could not be verified" in err


def test_the_ok_line_names_the_links_base_and_warns_when_it_is_another_server(published, tmp_path, capsys):
    from corridor.briefing.command import links_note

    tiles, trust = published
    path = briefing(tmp_path)
    assert main(["audit", str(tiles), "--trust", str(trust), "--briefing", str(path)]) == 0
    assert "links to https://corridor.example.org" in capsys.readouterr().out
    assert links_note(str(tiles), "https://elsewhere.example") is None  # files: nothing to compare
    assert links_note("https://corridor.example.org/log", "https://corridor.example.org") is None
    warning = links_note("https://corridor.example.org/log", "https://evil.example")
    assert warning.startswith("warning:") and "evil.example" in warning and "corridor.example.org" in warning
    # another port of the same host is another server (`make run PORT=8431`, a briefing linking to :8000)
    assert links_note("http://127.0.0.1:8431/log", "http://127.0.0.1:8431") is None
    assert links_note("https://corridor.example.org:443/log", "https://corridor.example.org") is None
    assert links_note("http://corridor.example.org/log", "https://corridor.example.org") is None
    warning = links_note("http://127.0.0.1:8431/log", "http://127.0.0.1:8000")
    assert warning is not None and "127.0.0.1:8000" in warning and "127.0.0.1:8431" in warning


def test_an_unwritable_output_is_a_clear_error(published, tmp_path, capsys):
    assert main(["briefing", "--from", "2023-09-11", "--to", "2023-09-19",
                 "-o", str(tmp_path / "nonexistent" / "x.html")]) == 1
    err = capsys.readouterr().err
    assert "[briefing.unwritable]" in err and "Traceback" not in err
