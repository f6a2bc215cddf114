"""A briefing as PDF: the standalone HTML typeset by WeasyPrint (A4, Debian's fonts: DejaVu, and Noto Naskh
Arabic for Arabic, shaped and right to left by Pango/HarfBuzz; charts stay vector graphics), with the
machine-readable briefing (figures, entries, checkpoint, period, language) embedded as an attachment,
`briefing.json`, so that `corridor audit --briefing` can check a PDF as it checks the HTML.

The same inputs and fonts give the same bytes: the document's dates are the log's clock, not the wall clock.
"""

from __future__ import annotations

import io
import json
from datetime import datetime

ATTACHMENT = "briefing.json"


def write_pdf(html: str, machine: dict) -> bytes:
    import weasyprint

    made = datetime.fromisoformat(machine["as_of"].replace("Z", "+00:00"))  # the log's clock, not the wall's
    attachment = weasyprint.Attachment(string=json.dumps(machine, ensure_ascii=False, sort_keys=True,
                                                         indent=1).encode(),
                                       name=ATTACHMENT, description="Corridor briefing: figures and their entries",
                                       created=made, modified=made)
    return weasyprint.HTML(string=html).write_pdf(attachments=[attachment])


class NotABriefing(ValueError):
    """A PDF without the embedded briefing (not made by `corridor briefing`, or stripped of it)."""


def read_attachment(pdf: bytes) -> dict:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        data = attachments.get(ATTACHMENT)
    except (PdfReadError, ValueError, KeyError) as error:
        raise NotABriefing(f"cannot read the PDF: {error}") from None
    if not data:
        raise NotABriefing(f"the PDF carries no {ATTACHMENT}: it was not made by corridor briefing")
    try:
        return json.loads(data[0])
    except ValueError as error:
        raise NotABriefing(f"{ATTACHMENT} is not JSON: {error}") from None


def page_text(pdf: bytes) -> str:
    """Every page's text, in order, as pypdf extracts it (to compare a PDF with a new rendering)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
