"""`corridor audit --briefing FILE`: recompute a briefing from the log and name every figure that differs.

A briefing (HTML, PDF with its embedded `briefing.json`, or that JSON as downloaded) states the checkpoint
it was computed at, the period, the language and the base URL of its links. The audit
1. reads those and every figure the briefing states (id, value, what is shown, the entries it rests on);
2. checks the stated checkpoint: a note signed by the log's key (and any cosignature by a witness the trust
   file knows), whose size and root are the verified log's at that size;
3. folds the verified log up to that size and computes the same period's briefing;
4. compares figure by figure: a value, a shown text or a list of entries that differs, a figure missing from
   the briefing or one the log does not give, is each a difference (a figure whose value is a code is shown
   in words of the briefing's language: those words are recomputed from the same tables, words.py);
5. renders the briefing again and compares the whole document — HTML byte for byte, a PDF by the text a
   reader sees (so a figure edited in the pages, not in the attachment, fails too, and is named) — so that a
   label or a sentence edited by hand fails too. The rendering carries the briefing's stated generator, so
   changing that string alone hides nothing: if the text still differs and the briefing names another
   version of Corridor, its text cannot be verified here (`unverified`, not OK: docs/briefings.md).
Any difference fails the audit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..figures.briefing import Briefing, Checkpoint, Period, compute, ranges
from ..figures.history import History
from ..ledger.checkpoint import CheckpointError, parse_checkpoint
from ..ledger.note import NoteError, open_note
from ..ledger.trustfile import Trust

# size -> (the history folded over the verified log's first `size` entries, the tree's root at that size)
Loader = Callable[[int], tuple[History, bytes]]


@dataclass
class Claimed:
    """What a briefing document says: its parameters and every figure it shows (an HTML page may show
    one figure in several places: each is checked)."""

    kind: str
    period: Period
    lang: str
    base: str
    generator: str
    checkpoint: Checkpoint
    figures: dict[str, list[tuple[object, str, str]]] = field(default_factory=dict)  # id -> [(value, shown, entries)]


@dataclass
class Difference:
    figure: str
    what: str
    claimed: object = None
    recomputed: object = None

    def line(self) -> str:
        if self.what in ("missing", "extra", "checkpoint", "document"):
            return f"{self.figure}: {self.claimed}"
        return f"{self.figure}: {self.what} is {self.claimed!r} in the briefing, {self.recomputed!r} from the log"


@dataclass
class AuditResult:
    claimed: Claimed
    figures_checked: int = 0
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unverified: str = ""  # why the document's text could not be verified (another version made it)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.unverified


class NotABriefing(ValueError):
    pass


def read_document(data: bytes) -> Claimed:
    if data.startswith(b"%PDF"):
        from .pdf import NotABriefing as NoAttachment
        from .pdf import read_attachment

        try:
            return read_machine(read_attachment(data), "pdf")
        except NoAttachment as error:
            raise NotABriefing(str(error)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotABriefing("neither a PDF nor UTF-8 HTML or JSON") from None
    if text.lstrip().startswith("{"):  # the JSON download: what a PDF embeds
        try:
            machine = json.loads(text)
        except ValueError as error:
            raise NotABriefing(f"not JSON: {error}") from None
        if not isinstance(machine, dict):
            raise NotABriefing("not a briefing's JSON")
        return read_machine(machine, "json")
    return read_html(text)


def read_machine(machine: dict, kind: str) -> Claimed:
    """From the JSON a PDF embeds (Briefing.to_json plus lang, base and generator)."""
    try:
        period = Period.parse(machine["period"]["from"], machine["period"]["to"])
        figures = {id: [(f["value"], f["display"], f["entries"])] for id, f in machine["figures"].items()}
        return Claimed(kind, period, machine["lang"], machine["base"], machine["generator"],
                       Checkpoint.of_note(machine["checkpoint"]["note"]), figures)
    except (KeyError, TypeError, ValueError) as error:
        raise NotABriefing(f"the embedded briefing is incomplete: {error}") from None


def read_html(text: str) -> Claimed:
    parser = _BriefingParser()
    parser.feed(text)
    parser.close()
    meta = parser.meta
    try:
        period = Period.parse(meta["corridor:period-from"], meta["corridor:period-to"])
        checkpoint = Checkpoint.of_note(parser.note)
        claimed = Claimed("html", period, meta["corridor:lang"], meta["corridor:base-url"], meta.get("generator", ""),
                          checkpoint, parser.figures)
    except (KeyError, ValueError) as error:
        raise NotABriefing(f"not a Corridor briefing (its head or checkpoint is missing): {error}") from None
    if (str(checkpoint.size), checkpoint.root) != (meta.get("corridor:checkpoint-size"),
                                                   meta.get("corridor:checkpoint-root")):
        raise NotABriefing("the checkpoint in the head is not the one in the body")
    return claimed


class _BriefingParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.figures: dict[str, list[tuple[object, str, str]]] = {}
        self.note = ""
        self._open: tuple[str, str, str] | None = None  # (id, value, entries) of the <data> being read
        self._text: list[str] = []
        self._in_note = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and attributes.get("name"):
            self.meta[attributes["name"]] = attributes.get("content") or ""
        elif tag == "data" and "data-figure" in attributes:
            self._open = (attributes["data-figure"], attributes.get("value") or "",
                          attributes.get("data-entries") or "")
            self._text = []
        elif tag == "pre" and "data-checkpoint-note" in attributes:
            self._in_note, self._text = True, []

    def handle_data(self, data):
        if self._open is not None or self._in_note:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "data" and self._open is not None:
            id, value, entries = self._open
            self.figures.setdefault(id, []).append((_json(value), "".join(self._text), entries))
            self._open = None
        elif tag == "pre" and self._in_note:
            self.note, self._in_note = "".join(self._text), False


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text  # not JSON: compared as written, so it differs


def check_checkpoint(claimed: Claimed, root: bytes, trust: Trust, result: AuditResult) -> bool:
    """The stated checkpoint is the log's: signed by its key, and its size and root those of the verified
    log at that size. Cosignatures by witnesses the trust file names are checked too."""
    import base64

    def wrong(message: str) -> bool:
        result.differences.append(Difference("checkpoint", "checkpoint", message))
        return False

    try:
        opened = open_note(claimed.checkpoint.note, [trust.log_key, *trust.witness_keys])
        stated = parse_checkpoint(opened.text)
    except (NoteError, CheckpointError) as error:
        return wrong(f"the stated checkpoint is not valid: {error}")
    if trust.log_key.name not in {s.name for s in opened.verified}:
        return wrong("the stated checkpoint is not signed by the log")
    if stated.root != root or stated.size != claimed.checkpoint.size:
        return wrong(f"the log's root at size {stated.size} is {base64.b64encode(root).decode()}, "
                     f"not the stated {claimed.checkpoint.root}")
    result.notes += [f"cosignature by {s.name} not checked: the trust file has no key for it"
                     for s in opened.unverified]
    return True


def compare(claimed: Claimed, briefing: Briefing, result: AuditResult) -> None:
    from .render import in_words

    recomputed, words = {f.id: f for f in briefing.figures()}, in_words(claimed.lang)
    for id, shown in claimed.figures.items():
        figure = recomputed.get(id)
        if figure is None:
            result.differences.append(Difference(id, "extra", "the briefing states a figure the log does not give"))
            continue
        for value, display, entries in shown:
            result.figures_checked += 1
            for what, stated, actual in (("value", value, figure.value), ("shown", display, words(figure)),
                                         ("entries", entries, ranges(figure.entries))):
                if stated != actual:
                    result.differences.append(Difference(id, what, stated, actual))
    for id in recomputed.keys() - claimed.figures.keys():
        result.differences.append(Difference(id, "missing", "the log gives this figure; the briefing leaves it out"))


def audit_document(data: bytes, load: Loader, trust: Trust) -> AuditResult:
    claimed = read_document(data)
    result = AuditResult(claimed)
    history, root = load(claimed.checkpoint.size)
    if not check_checkpoint(claimed, root, trust, result):
        return result
    briefing = compute(history, claimed.period, claimed.checkpoint)
    compare(claimed, briefing, result)
    compare_document(data, claimed, briefing, result)
    return result


def compare_document(data: bytes, claimed: Claimed, briefing: Briefing, result: AuditResult) -> None:
    """The whole document against a new rendering, with the generator the briefing states (a briefing made
    by another version, or whose generator was edited, must still read the same to pass)."""
    from django.utils.html import escape

    from .render import generator, machine, render_document

    ours, theirs = generator(), claimed.generator
    html = render_document(briefing, claimed.lang, claimed.base)
    if theirs != ours:
        html = html.replace(escape(ours), escape(theirs))
    differences = len(result.differences)
    if claimed.kind == "json":
        again = json.dumps({**machine(briefing, claimed.lang, claimed.base), "generator": theirs},
                           ensure_ascii=False, sort_keys=True, indent=1)
        _first_difference(data.decode("utf-8"), again, briefing, result)
    elif claimed.kind == "html":
        _first_difference(data.decode("utf-8"), html, briefing, result)
    else:
        from .pdf import page_text, write_pdf

        again = write_pdf(html, {**machine(briefing, claimed.lang, claimed.base), "generator": theirs})
        if again != data:
            _first_difference(page_text(data), page_text(again), briefing, result)
    if theirs != ours and len(result.differences) > differences:
        found = result.differences[differences:]
        del result.differences[differences:]
        result.unverified = (f"the briefing was made by {theirs or 'an unknown program'}, this is {ours}: its "
                             f"text cannot be rendered again identically here ({found[0].line()})")


def _first_difference(stated: str, rendered: str, briefing: Briefing, result: AuditResult) -> None:
    if stated == rendered:
        return
    ours, theirs = rendered.splitlines(), stated.splitlines()
    line = next((n for n, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs)))
    named = _figures_on(_at(ours, line, None), _at(theirs, line, None), briefing, result.claimed.lang)
    result.differences.append(Difference(named or "document", "document",
                                         f"differs from a new rendering at line {line + 1}: "
                                         f"{_at(theirs, line)!r} where the log gives {_at(ours, line)!r}"))


def _figures_on(ours: str, theirs: str, briefing: Briefing, lang: str) -> str:
    """The figures the log shows on the line that differs and the document does not (a figure edited in
    the visible text), named by id."""
    from .render import in_words

    words = in_words(lang)
    gone = [f.id for f in briefing.figures() if (text := words(f)) and text in ours and text not in theirs]
    return ", ".join(gone[:5])


def _at(lines: list[str], n: int, width: int | None = 160) -> str:
    return lines[n].strip()[:width] if n < len(lines) else "(end of document)"
