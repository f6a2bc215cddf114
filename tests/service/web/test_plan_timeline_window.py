"""The plan page shows the latest statements of a long plan, and links to the earlier ones a window at a time
(passages/history.timeline_window): a party filling a plan with notes does not make its page slow for anyone."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from corridor.service.ledger.models import StatementIndex
from corridor.service.passages.history import TIMELINE_PAGE

from ..passages.test_history import notes
from . import stages

pytestmark = pytest.mark.django_db


def timeline(page: str) -> str:
    return page.split('id="timeline"', 1)[1].split("</section>", 1)[0]


def rows(section: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", section)]


def test_a_long_timeline_shows_the_latest_statements_and_links_to_the_earlier_ones(parties):
    stages.submitted(parties)
    notes(parties, TIMELINE_PAGE + 3)
    everything = list(StatementIndex.objects.filter(plan="p1").order_by("idx").values_list("idx", flat=True))
    latest = timeline(Client().get("/plans/p1").content.decode())
    assert rows(latest) == everything[-TIMELINE_PAGE:]
    assert "The latest statements." in latest and "Latest statements</a>" not in latest
    link = re.search(r'<a href="/plans/p1(\?before=\d+)#timeline">Earlier statements</a>', latest)
    earlier = timeline(Client().get("/plans/p1" + link.group(1)).content.decode())
    assert rows(earlier) == everything[:-TIMELINE_PAGE]
    assert f"Statements before #{everything[-TIMELINE_PAGE]}." in earlier and "Earlier statements" not in earlier
    assert '<a href="/plans/p1#timeline">Latest statements</a>' in earlier


def test_a_short_timeline_has_no_links(parties):
    stages.submitted(parties)
    section = timeline(Client().get("/plans/p1").content.decode())
    assert len(rows(section)) == 1 and "Earlier statements" not in section and "The latest statements" not in section


def test_a_window_names_the_version_a_consent_was_given_to(parties):
    stages.submitted(parties)
    stages.amend(parties)
    notes(parties, TIMELINE_PAGE, first=1000)  # the submission and the amendment fall out of the latest window
    stages.consented(parties, at=stages.T + 5000)
    section = timeline(Client().get("/plans/p1").content.decode())
    assert "plan.amend" not in section and "Amend" not in section
    assert section.count("to version 2") == 4 and "version 0" not in section and "version 1" not in section


@pytest.mark.parametrize("before", ["abc", "-5", "0", "9" * 40, "１２"])
def test_a_before_that_is_no_log_index_shows_the_latest(parties, before):
    stages.submitted(parties)
    answer = Client().get("/plans/p1", {"before": before})
    assert answer.status_code == 200
    section = timeline(answer.content.decode())
    assert len(rows(section)) == 1 and "Statements before" not in section


def test_paging_one_list_keeps_the_window_of_the_other(parties):
    stages.submitted(parties)
    notes(parties, TIMELINE_PAGE + 3)  # more statements than a window, more documents than a page
    before = list(StatementIndex.objects.filter(plan="p1").order_by("idx").values_list("idx", flat=True))[-2]
    page = Client().get("/plans/p1", {"before": before, "documents_before": 80, "x": "<b>"}).content.decode()
    links = {text: href for href, text in re.findall(
        r'<a href="([^"]*)#\w+">(Earlier statements|Latest statements|Earlier documents|Latest documents)</a>', page)}
    assert links["Earlier statements"] == f"/plans/p1?before={before - TIMELINE_PAGE}&amp;documents_before=80"
    assert links["Latest statements"] == "/plans/p1?documents_before=80"
    assert links["Earlier documents"] == f"/plans/p1?before={before}&amp;documents_before=30"
    assert links["Latest documents"] == f"/plans/p1?before={before}"
