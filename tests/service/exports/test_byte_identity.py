"""The service's public downloads at a size are byte for byte what `corridor audit --at SIZE` recomputes from
the public log alone: on the two-roads example, on a BSGI import, and on random histories."""

from __future__ import annotations

import pytest

from ..api_driver import drive
from ..conftest import SCENARIO
from .audited import audit, audited_files, downloads, publish

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_roads_every_table_byte_identical(parties, tiles, tmp_path, capsys):
    drive(SCENARIO, parties)
    size, trust = publish(tmp_path)
    served = downloads(size)
    assert audit(tiles, trust, tmp_path / "audit") == 0, capsys.readouterr().err
    assert audited_files(tmp_path / "audit") == served
    assert served["waiting.csv"].startswith(b"#checkpoint,")

