"""Reading a rendered briefing as a reader's tools would: every figure, the row it sits in, and the links
(to entries and to their inclusion proofs) that row carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from corridor.figures.briefing import parse_ranges


@dataclass
class Row:
    figures: dict[str, tuple[int, ...]] = field(default_factory=dict)  # figure id -> its entries
    shown: dict[str, str] = field(default_factory=dict)  # figure id -> its text, as a reader sees it
    linked: set[int] = field(default_factory=set)  # entries its links cover (ranges)
    hrefs: set[str] = field(default_factory=set)


class Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, Row] = {}
        self.stack: list[tuple[str, str | None]] = []  # (tag, data-row)
        self.outside: list[str] = []  # figures in no row
        self.tags: list[tuple[str, dict]] = []
        self.open: tuple[Row, str] | None = None  # the <data> being read: its row and figure id

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in ("meta", "link", "br", "input", "img"):  # void elements: no end tag
            self.stack.append((tag, attrs.get("data-row")))
        row = next((name for _, name in reversed(self.stack) if name), None)
        if row is None:
            if tag == "data" and "data-figure" in attrs:
                self.outside.append(attrs["data-figure"])
            return
        current = self.rows.setdefault(row, Row())
        if tag == "data" and "data-figure" in attrs:
            current.figures[attrs["data-figure"]] = parse_ranges(attrs["data-entries"])
            current.shown[attrs["data-figure"]] = ""
            self.open = (current, attrs["data-figure"])
        if tag == "span" and "entries" in (attrs.get("class") or "").split():
            current.linked |= set(parse_ranges(attrs["data-links"]))
        if tag == "a" and attrs.get("href"):
            current.hrefs.add(attrs["href"])

    def handle_data(self, data):
        if self.open is not None:
            row, figure = self.open
            row.shown[figure] += data

    def handle_endtag(self, tag):
        if tag == "data":
            self.open = None
        if tag not in (opened for opened, _ in self.stack):
            return
        while self.stack:
            opened, _ = self.stack.pop()
            if opened == tag:
                break


def read(html: str) -> Reader:
    reader = Reader()
    reader.feed(html)
    reader.close()
    return reader
