"""`corridor import` given the wrong file: a plain message with a stable code, exit 1, no traceback, and
nothing recorded (not even the data source's party)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from corridor.cli import main
from corridor.service.ledger.models import LogEntry

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BSGI_HEADER = ("Status,#,Vessel name,IMO,Departure port,Country,Commodity,Metric tons,Departure date,"
               "Inspection cleared\n")


def workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["ID", "Received Date", "Crossing", "Quantity"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("source", "name", "content", "code"), [
    ("bsgi", "voyages.xlsx", workbook(), "import.type"),
    ("bsgi", "voyages.png", PNG, "import.type"),
    ("bsgi", "voyages.csv", b"", "import.empty"),
    ("bsgi", "voyages.csv", BSGI_HEADER.encode() + "Outbound,1,Sm\xf8gen".encode("latin-1"), "import.encoding"),
    ("bsgi", "voyages.csv", b"a,b,c\n1,2,3\n", "import.columns"),
    ("unrwa", "trucks.csv", BSGI_HEADER.encode(), "import.type"),
    ("unrwa", "trucks.xlsx", PNG, "import.type"),
    ("unrwa", "trucks.xlsx", b"", "import.empty"),
    ("unrwa", "trucks.xlsx", b"PK\x03\x04 not a workbook", "import.unreadable"),
], ids=["bsgi-xlsx", "bsgi-png", "bsgi-empty", "bsgi-latin1", "bsgi-columns", "unrwa-csv", "unrwa-png", "unrwa-empty",
        "unrwa-broken"])
def test_a_wrong_file_is_refused_with_its_code(capsys, tmp_path, source, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["import", source, str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"corridor import: [{code}] {name} ") and "Traceback" not in err
    assert LogEntry.objects.count() == 0


def test_a_short_row_is_reported_not_a_crash(capsys, tmp_path):
    path = tmp_path / "voyages.csv"
    path.write_text(BSGI_HEADER + "Outbound,7,Short row\n")
    assert main(["import", "bsgi", str(path)]) == 0
    assert "1 rows could not be read" in capsys.readouterr().out
