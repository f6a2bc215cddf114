"""`corridor audit --briefing`'s check: a briefing as generated passes; one edited by hand fails, and the
audit names what differs — a figure's value, what it shows, its entries, a figure left out, a sentence."""

from __future__ import annotations

import json

import pytest

from corridor.briefing.audit import NotABriefing, audit_document
from corridor.briefing.render import document, machine, render_document
from corridor.figures.briefing import Period, compute

from ..figures.signed_logs import signed_log
from .conftest import BASE, PERIOD


@pytest.fixture(scope="module")
def html(briefing) -> bytes:
    return document(briefing, "en", BASE, "html")


@pytest.fixture(scope="module")
def pdf(briefing) -> bytes:
    return document(briefing, "ar", BASE, "pdf")


def audit(two_roads, data: bytes):
    return audit_document(data, two_roads.load, two_roads.trust)


def test_a_generated_briefing_passes(two_roads, briefing, html):
    result = audit(two_roads, html)
    assert result.ok, [d.line() for d in result.differences]
    assert result.figures_checked >= len(list(briefing.figures())) and result.notes == []


def test_a_value_edited_by_hand_fails(two_roads, html):
    edited = html.replace(b'value="54300"', b'value="64300"', 1)
    result = audit(two_roads, edited)
    assert not result.ok
    assert [(d.figure, d.what, d.claimed, d.recomputed) for d in result.differences if d.what == "value"] == [
        ("totals/requested.kg", "value", 64300, 54300)]


def test_a_shown_figure_edited_by_hand_fails(two_roads, html):
    edited = html.replace(b'data-entries="16,20">54.3</data>', b'data-entries="16,20">5.4</data>', 1)
    assert edited != html
    result = audit(two_roads, edited)
    assert ("totals/requested.kg", "shown", "5.4", "54.3") in [(d.figure, d.what, d.claimed, d.recomputed)
                                                                for d in result.differences]
    assert "5.4" in result.differences[0].line() and "54.3" in result.differences[0].line()


def test_a_sentence_edited_by_hand_fails(two_roads, html):
    edited = html.replace(b"Who was waited on, and for how long", b"Who obstructed the convoy", 1)
    result = audit(two_roads, edited)
    assert [d.what for d in result.differences] == ["document"]
    assert "Who obstructed the convoy" in result.differences[0].line()


def test_entries_edited_and_figures_removed_fail(two_roads, html):
    text = html.decode()
    edited = text.replace('data-figure="totals/consent" value="7" data-entries="17-19,21-23,36"',
                          'data-figure="totals/consent" value="7" data-entries="17-19"', 1)
    start = edited.index('<tr data-row="consents/36">')
    edited = edited[:start] + edited[edited.index("</tr>", start) + 5:]
    result = audit(two_roads, edited.encode())
    found = {(d.figure, d.what) for d in result.differences}
    assert ("totals/consent", "entries") in found and ("consents/36/party", "missing") in found


def test_a_briefing_of_another_log_fails_on_its_checkpoint(briefing, html):
    other = signed_log()
    result = audit_document(html, other.load, other.trust)
    assert [d.what for d in result.differences] == ["checkpoint"]


def test_a_checkpoint_edited_by_hand_fails(two_roads, html):
    root, other = two_roads.checkpoint().root, "A" * 43 + "="
    with pytest.raises(NotABriefing):  # the head no longer names the checkpoint of the body
        audit(two_roads, html.decode().replace(f'content="{root}"', f'content="{other}"').encode())
    result = audit(two_roads, html.decode().replace(root, other).encode())  # everywhere: the signature fails
    assert [d.what for d in result.differences] == ["checkpoint"]
    assert "not valid" in result.differences[0].line()


def test_a_briefing_at_an_earlier_size_is_audited_at_that_size(two_roads):
    earlier = compute(two_roads.history(36), Period.parse(*PERIOD), two_roads.checkpoint(36))
    result = audit(two_roads, document(earlier, "fr", BASE, "html"))
    assert result.ok, [d.line() for d in result.differences]


def test_the_pdf_passes_and_carries_its_figures(two_roads, briefing, pdf):
    from corridor.briefing.pdf import read_attachment

    embedded = read_attachment(pdf)
    assert embedded["figures"]["totals/requested.kg"] == {"value": 54300, "display": "54.3", "entries": "16,20"}
    assert embedded["lang"] == "ar" and embedded["checkpoint"]["note"] == briefing.checkpoint.note
    result = audit(two_roads, pdf)
    assert result.ok, [d.line() for d in result.differences]


def test_codes_in_words_are_audited_in_the_briefings_language(two_roads, briefing):
    """A capacity reads "пограничный контроль" in Russian: the audit recomputes those words from the log and
    the language; another word in its place (a capacity the party did not consent in) is named."""
    data = document(briefing, "ru", BASE, "html")
    assert audit(two_roads, data).ok
    edited = data.replace("data-entries=\"18\">пограничный контроль<".encode(), "data-entries=\"18\">таможня<".encode())
    assert edited != data
    result = audit(two_roads, edited)
    assert ("consents/18/capacity", "shown", "таможня", "пограничный контроль") in [
        (d.figure, d.what, d.claimed, d.recomputed) for d in result.differences]
    embedded = json.loads(document(briefing, "ar", BASE, "json"))
    assert embedded["figures"]["consents/18/capacity"] == {"value": "border_control", "display": "مراقبة الحدود",
                                                           "entries": "18"}


def test_a_pdf_whose_embedded_figures_were_edited_fails(two_roads, briefing):
    from corridor.briefing.pdf import write_pdf

    tampered = machine(briefing, "en", BASE)
    tampered["figures"]["waiting/recv/seconds"]["value"] = 3600
    tampered = json.loads(json.dumps(tampered))
    result = audit(two_roads, write_pdf(render_document(briefing, "en", BASE), tampered))
    assert [(d.figure, d.what) for d in result.differences] == [("waiting/recv/seconds", "value")]


def test_a_pdf_whose_pages_were_edited_fails(two_roads, briefing):
    from corridor.briefing.pdf import write_pdf

    html = render_document(briefing, "en", BASE).replace(">6d 9h 30m<", ">2h 0m<")
    result = audit(two_roads, write_pdf(html, machine(briefing, "en", BASE)))
    assert [d.what for d in result.differences] == ["document"] and "2h 0m" in result.differences[0].line()


def test_a_pdf_without_its_figures_is_not_a_briefing(two_roads, briefing):
    import weasyprint

    with pytest.raises(NotABriefing):
        audit(two_roads, weasyprint.HTML(string=render_document(briefing, "en", BASE)).write_pdf())
    with pytest.raises(NotABriefing):
        audit(two_roads, b"<html><body>hello</body></html>")


def test_an_edited_briefing_whose_generator_was_changed_too_is_not_ok(two_roads, html):
    from corridor.briefing.render import generator

    other = html.replace(generator().encode(), b"corridor 0.0.1")
    assert other != html
    assert audit(two_roads, other).ok  # the generator alone changed: the rest renders again identically
    edited = other.replace(b"Who was waited on, and for how long", b"Who obstructed the convoy", 1)
    result = audit(two_roads, edited)
    assert not result.ok and result.differences == []
    assert "corridor 0.0.1" in result.unverified and "Who obstructed the convoy" in result.unverified


def test_a_figure_edited_in_a_pdfs_pages_is_named(two_roads, briefing):
    from corridor.briefing.pdf import write_pdf

    html = render_document(briefing, "en", BASE).replace('data-entries="16,20">54.3<', 'data-entries="16,20">64.3<')
    tampered = {**machine(briefing, "en", BASE), "generator": "corridor 9.9"}  # and its generator changed
    result = audit(two_roads, write_pdf(html.replace(generator_of(), "corridor 9.9"), tampered))
    assert not result.ok
    assert "totals/requested.kg" in result.unverified + " ".join(d.line() for d in result.differences)


def generator_of() -> str:
    from corridor.briefing.render import generator

    return generator()


def test_a_forged_far_future_period_is_not_a_briefing(two_roads, html):
    forged = html.replace(b'name="corridor:period-to" content="2023-09-19"',
                          b'name="corridor:period-to" content="9999-12-31"')
    assert forged != html
    with pytest.raises(NotABriefing, match="between"):
        audit(two_roads, forged)


def test_the_json_download_is_audited_and_an_edit_to_it_fails(two_roads, briefing):
    data = document(briefing, "fr", BASE, "json")
    result = audit(two_roads, data)
    assert result.ok and result.claimed.kind == "json", [d.line() for d in result.differences]
    edited = json.loads(data)
    edited["figures"]["totals/requested.kg"]["value"] = 1
    result = audit(two_roads, json.dumps(edited).encode())
    assert ("totals/requested.kg", "value") in [(d.figure, d.what) for d in result.differences]
    with pytest.raises(NotABriefing):
        audit(two_roads, b'{"figures": {}}')
