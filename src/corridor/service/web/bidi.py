"""Text from elsewhere (a party's name, a plan id, a seal or plate, an item) set inside a translated sentence
built in Python — a flash message, a problem on a form — wrapped in Unicode isolates (FSI … PDI), so in an
Arabic sentence "Z-2" stays "Z-2" and "(Host state customs service)" keeps its brackets. Templates isolate
with <bdi>; plain text cannot carry markup, and isolates go anywhere text goes (a page, an email, JSON).

Only in a right-to-left language: there a Latin fragment is what the bidirectional algorithm reorders; in a
left-to-right sentence the invisible marks would only ride along into what people copy and search."""

from __future__ import annotations

from django.utils.translation import get_language_bidi

FSI, PDI = "\u2068", "\u2069"  # first strong isolate: the fragment takes the direction of its own first letter


def isolate(text: object) -> str:
    """The text as one isolated run when the reader's language is right to left; else as it is."""
    text = "" if text is None else str(text)
    return f"{FSI}{text}{PDI}" if text and get_language_bidi() else text


def isolated(items) -> list[str]:
    return [isolate(item) for item in items]
