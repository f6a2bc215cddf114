"""The two-roads log, signed, for rendering and auditing briefings without a service."""

from __future__ import annotations

import pytest

from corridor.figures.briefing import Period, compute

from ..figures.signed_logs import signed_log

BASE = "https://corridor.example.org"
PERIOD = ("2023-09-11", "2023-09-19")


@pytest.fixture(scope="session")
def two_roads():
    return signed_log()


@pytest.fixture(scope="session")
def briefing(two_roads):
    return compute(two_roads.history(), Period.parse(*PERIOD), two_roads.checkpoint())
