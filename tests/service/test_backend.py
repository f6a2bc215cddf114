"""The run is on the database it claims: CI sets CORRIDOR_EXPECT_DATABASE=postgresql for its second run,
so a PostgreSQL run that silently fell back to SQLite fails here."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_database_is_the_expected_one():
    expected = os.environ.get("CORRIDOR_EXPECT_DATABASE")
    assert connection.vendor == (expected or connection.vendor)
    assert connection.vendor in ("sqlite", "postgresql")
