"""Text that parties sign never becomes markup: a scan of our own scripts, templates and Python for the ways
it could (HTML sinks in JavaScript, `|safe` and friends in templates, inline scripts and handlers that the
Content-Security-Policy would block), so the class of bug cannot come back unnoticed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SERVICE = Path(__file__).parents[3] / "src" / "corridor" / "service"
OUR_SCRIPTS = sorted((SERVICE / "web" / "static" / "web").glob("*.js"))
TEMPLATES = sorted(SERVICE.rglob("templates/**/*.html"))
PYTHON = sorted(SERVICE.rglob("*.py"))

# A popup, tooltip or element gets its content as a DOM node built with textContent, never as a string.
JS_SINKS = {
    "innerHTML / outerHTML": re.compile(r"\.(?:inner|outer)HTML\b"),
    "insertAdjacentHTML": re.compile(r"insertAdjacentHTML"),
    "document.write": re.compile(r"document\.write"),
    "eval / new Function": re.compile(r"\beval\(|new Function\("),
    "Leaflet content from a string": re.compile(
        r"\.(?:bindPopup|bindTooltip|setContent|setPopupContent|setTooltipContent)\((?!text\()"),
    "jQuery-style html()": re.compile(r"\.html\("),
}
TEMPLATE_SINKS = {
    "|safe": re.compile(r"\|\s*safe\b"),
    "autoescape off": re.compile(r"{%\s*autoescape\s+off"),
    "safeseq": re.compile(r"\|\s*safeseq\b"),
    "inline <script> (no src)": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "inline style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
# The one exception: the standalone briefing file (a document, not a page the service serves) carries its style
# sheet in one <style> element, allowed by its own Content-Security-Policy hash (tests/briefing/test_render.py).
ALLOWED = {("web/templates/briefing/document.html", "<style> element")}
PYTHON_SINKS = re.compile(r"\bmark_safe\(|\bSafeString\(|\bformat_html\(|\bmark_for_escaping\(")


def test_there_is_something_to_scan():
    assert OUR_SCRIPTS and len(TEMPLATES) >= 10 and PYTHON


@pytest.mark.parametrize("path", OUR_SCRIPTS, ids=lambda p: p.name)
def test_our_scripts_never_turn_text_into_markup(path):
    code = path.read_text()
    found = [f"{name}: line {code[:m.start()].count(chr(10)) + 1}"
             for name, pattern in JS_SINKS.items() for m in pattern.finditer(code)]
    assert found == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SERVICE)))
def test_templates_escape_everything_and_hold_no_inline_script_or_style(path):
    text = path.read_text()
    where = path.relative_to(SERVICE).as_posix()
    found = [f"{name}: {m.group(0)[:60]!r}" for name, pattern in TEMPLATE_SINKS.items()
             for m in pattern.finditer(text) if (where, name) not in ALLOWED]
    assert found == []


def test_no_python_marks_text_safe():
    found = [str(path.relative_to(SERVICE)) for path in PYTHON if PYTHON_SINKS.search(path.read_text())]
    assert found == []


def test_the_scan_catches_what_it_is_meant_to():
    assert JS_SINKS["Leaflet content from a string"].search("marker.bindPopup(`${i.place}`)")
    assert not JS_SINKS["Leaflet content from a string"].search("marker.bindPopup(text(i.place))")
    assert TEMPLATE_SINKS["inline event handler"].search('<select onchange="this.form.submit()">')
    assert not TEMPLATE_SINKS["inline event handler"].search('<select data-autosubmit name="one">')
    assert TEMPLATE_SINKS["inline <script> (no src)"].search("<script>alert(1)</script>")
    assert not TEMPLATE_SINKS["inline <script> (no src)"].search('<script src="/static/x.js"></script>')
    assert TEMPLATE_SINKS["|safe"].search("{{ place|safe }}")
