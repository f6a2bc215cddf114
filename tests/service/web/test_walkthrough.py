"""What a border chief, a logistics delegate and a mediator met walking a 3-leg convoy through the pages in
Russian and Arabic (issue 13's "without reading a code or an id"): each test is one place that showed a
raw time, an id or a silent default, read as its reader now reads it."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service import clock

from ..api_driver import drive
from ..conftest import SCENARIO
from .test_every_language import utc_stamps, visible_texts
from .test_plan_list import DAY, T, submit

pytestmark = pytest.mark.django_db


def test_the_plan_list_gives_times_on_the_crossings_clock_and_waits_in_the_readers_words(parties):
    drive(SCENARIO, parties)
    submit(parties, "open-1", T + 10 * DAY)
    client = Client()
    client.cookies["django_language"] = "ru"
    with clock.frozen_at(T + 13 * DAY):
        page = client.get("/plans").content.decode()
    texts = visible_texts(page)
    assert utc_stamps(texts) == []  # no 2023-09-21T08:13:20Z left as the log writes it
    assert "21 сентября 2023 г." in page and "12:13 UTC+4" in page  # open-1's submission, at Lachin
    assert '<time datetime="2023-09-21T08:13:20Z" title="2023-09-21 08:13 UTC">' in page
    assert "3 д 0 ч 0 мин" in page and "3d 0h" not in page  # how long each party has been waited on
    assert "18 сентября 2023 г." in page and "11:00 UTC+4" in page  # two-roads' revealed window, local
