"""A briefing as HTML: every figure machine-readable and linked to the entries it rests on and their
inclusion proofs, the checkpoint named with its cosignatures, party text as text, no script, a strict CSP."""

from __future__ import annotations

import base64
import hashlib
import re
from html import unescape

import pytest

from corridor.briefing.render import render_body, render_document
from corridor.figures.briefing import Period, compute

from .conftest import BASE
from .links import read


@pytest.fixture(scope="module")
def html(briefing):
    return render_document(briefing, "en", BASE)


def test_every_figure_is_linked_to_its_entries_and_their_proofs(briefing, html):
    reader = read(html)
    assert reader.outside == []
    shown = {figure for row in reader.rows.values() for figure in row.figures}
    assert shown == {f.id for f in briefing.figures()}  # every figure is in the document
    for name, row in reader.rows.items():
        for figure, entries in row.figures.items():
            assert set(entries) <= row.linked, (name, figure)
        for index in row.linked:  # each range's ends link to the entry and to its proof, absolute
            if index - 1 not in row.linked or index + 1 not in row.linked:
                assert f"{BASE}/log/entry/{index}" in row.hrefs and f"{BASE}/log/proof/{index}" in row.hrefs


def test_the_head_names_the_period_language_base_and_checkpoint(briefing, html):
    meta = {attrs["name"]: attrs["content"] for tag, attrs in read(html).tags if tag == "meta" and "name" in attrs}
    assert meta["corridor:period-from"] == "2023-09-11" and meta["corridor:period-to"] == "2023-09-19"
    assert meta["corridor:lang"] == "en" and meta["corridor:base-url"] == BASE
    assert meta["corridor:checkpoint-size"] == str(briefing.checkpoint.size)
    assert meta["corridor:checkpoint-root"] == briefing.checkpoint.root
    assert meta["generator"].startswith("corridor")
    assert 'data-checkpoint-size="52"' in html


def test_the_checkpoint_is_named_with_its_witness_cosignatures(briefing, html):
    assert briefing.checkpoint.witnesses == ["witness.example/w1"]
    assert "<code>witness.example/w1</code>" in html
    signature_lines = [line for line in briefing.checkpoint.note.splitlines() if line.startswith("— ")]
    assert len(signature_lines) == 2 and all(line in html for line in signature_lines)


def test_no_script_and_a_strict_content_security_policy(html):
    assert "<script" not in html.lower() and " style=" not in html and "javascript:" not in html
    policy = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert policy.startswith("default-src 'none'") and f"'sha256-{digest}'" in policy


def test_party_text_is_text(two_roads):
    from pathlib import Path

    from ..figures.signed_logs import signed_log

    mixed = signed_log(Path(__file__).parents[1] / "figures" / "mixed.yaml")
    briefing = compute(mixed.history(), Period.parse("2023-10-01", "2023-10-05"), mixed.checkpoint())
    html = render_document(briefing, "en", BASE)
    assert "Not &lt;b&gt;now&lt;/b&gt;" in html and "<b>now" not in html
    assert "P1-SECRET" not in html and "P3-SECRET" not in html  # plates never (committed on the log)


def test_charts_are_vector_graphics(html):
    assert html.count("<svg") == 3 and "<rect" in html and "<img" not in html


@pytest.mark.parametrize("lang", ["ru", "fr", "ar"])
def test_every_language_renders_with_the_same_figures(briefing, html, lang):
    other = render_document(briefing, lang, BASE)
    figures = {fid for row in read(other).rows.values() for fid in row.figures}
    assert figures == {fid for row in read(html).rows.values() for fid in row.figures}
    assert f'lang="{lang}"' in other and ('dir="rtl"' in other) == (lang == "ar")


def test_the_body_alone_is_what_the_page_includes(briefing):
    body = render_body(briefing, "en", BASE + "/")
    assert body.startswith('<article class="briefing"') and f"{BASE}/log/entry/16" in body


def test_imported_datasets_are_linked_too():
    from pathlib import Path

    from ..figures.signed_logs import signed_log

    mixed = signed_log(Path(__file__).parents[1] / "figures" / "mixed.yaml")
    briefing = compute(mixed.history(), Period.parse("2023-10-01", "2023-10-05"), mixed.checkpoint())
    reader = read(render_document(briefing, "en", BASE))
    assert reader.outside == []
    assert "datasets/trucks/commodity/wash/kg" in reader.rows["datasets/trucks/commodity/wash"].figures
    for row in reader.rows.values():
        for entries in row.figures.values():
            assert set(entries) <= row.linked


def test_the_log_clock_is_the_last_statement_even_after_the_period(two_roads):
    from corridor.engine.times import format_time
    from corridor.figures.briefing import Period, compute

    history = two_roads.history()
    early = compute(history, Period.parse("2023-09-01", "2023-09-02"), two_roads.checkpoint())
    assert early.as_of < history.state.clock
    html = render_document(early, "en", BASE)
    assert f'<time datetime="{format_time(history.state.clock)}">2023-09-18 11:30 UTC</time>' in html
    assert f'<time datetime="{format_time(early.as_of)}">' not in html


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["border control", "receiving authority (security)", "mines and unexploded ordnance",
            "submitted → cleared", "party's own key", "simultaneous legs", "6d 9h 30m"]),
    ("ru", ["пограничный контроль", "мины и неразорвавшиеся боеприпасы", "подан → пропуск разрешён",
            "собственный ключ стороны", "6 д 9 ч 30 мин"]),
    ("fr", ["contrôle aux frontières", "mines et engins non explosés", "soumis → autorisé", "6 j 9 h 30 min"]),
    ("ar", ["مراقبة الحدود", "الألغام والذخائر غير المنفجرة", "مفتاح الجهة نفسها", "6 ي 9 س 30 د",
            "مقدَّمة ← أُجيزت"]),
])
def test_codes_read_in_words_of_the_briefings_language_and_stay_codes_in_the_values(briefing, lang, words):
    html = render_document(briefing, lang, BASE)
    shown = {text for row in read(html).rows.values() for text in row.shown.values()}
    assert set(words) <= shown
    assert not shown & {"border_control", "receiving_security", "mines_uxo", "party", "simultaneous"}
    assert lang == "en" or "6d 9h 30m" not in shown  # durations in the reader's units
    assert 'value="&quot;border_control&quot;"' in html  # the value: the log's code, in every language
    assert 'value="&quot;2023-09-11T09:30:00Z&quot;"' in html and ">2023-09-11 09:30 UTC</data>" in html
    # each figure reads in its own text's direction, written out (the PDF does not resolve dir="auto")
    assert 'dir="ltr" data-figure="consents/17/time"' in html and 'dir="ltr" data-figure="requested/16/plan"' in html
    assert ('dir="rtl" data-figure="consents/18/capacity"' in html) == (lang == "ar")
