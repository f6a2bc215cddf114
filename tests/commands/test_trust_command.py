"""`corridor trust DATA_DIR` writes the trust file of a service's log; `corridor verify` accepts it."""

from __future__ import annotations

import pytest

from corridor.cli import main
from corridor.service.config import CONFIG
from corridor.service.ledger.integrator import integrate_now

from ..service.api_driver import drive
from ..service.conftest import SCENARIO

pytestmark = pytest.mark.django_db


def test_the_trust_file_from_the_data_dir_verifies_the_log_the_service_wrote(parties, tiles, public, tmp_path,
                                                                              capsys):
    drive(SCENARIO, parties)
    integrate_now()
    served = public.get("/log/trust.txt").content.decode()
    capsys.readouterr()
    assert main(["trust", str(CONFIG.data_dir)]) == 0
    assert capsys.readouterr().out == served
    trust = tmp_path / "trust.txt"
    assert main(["trust", str(CONFIG.data_dir), "-o", str(trust)]) == 0
    assert trust.read_text() == served
    assert main(["verify", str(tiles), "--trust", str(trust), "--state", str(tmp_path / "seen.json")]) == 0
    assert "entry signatures checked" in capsys.readouterr().out


def test_a_directory_without_a_log_is_refused(tmp_path, capsys):
    assert main(["trust", str(tmp_path)]) == 2
    assert "not a Corridor data directory" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
