"""A page's form as a browser would post it in its default state: every named input (a checkbox only when
checked), each select's selected option (else its first), each textarea; no submit button."""

from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, action: str | None) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, action is None, {}
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and self.action is not None:
            self.inside = (attributes.get("action") or "").endswith(self.action)
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("submit", "button"):
            if attributes.get("type") not in ("checkbox", "radio") or "checked" in attributes:
                self.fields[name] = attributes.get("value") or ""
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attributes.get("value") or "", "selected" in attributes))
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected] or [v for v, _s in self.options[:1]]
            self.fields[self.select] = chosen[0] if chosen else ""
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.action is not None:
            self.inside = False


def form_fields(page: str, action: str | None = None) -> dict[str, str]:
    """The fields of the form posting to `action` (the page's only form when None)."""
    reader = _Form(action)
    reader.feed(page)
    return reader.fields
