"""A party signs only what its page showed: every content-dependent form carries the plan version it was
rendered with, and a form that comes back after the requester amended the plan is refused (version.stale),
telling the officer who amended it, when, and what changed. Nothing is signed."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.http import QueryDict

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.record import Refused
from corridor.service.web.actions import NEEDS_RENDERED_VERSION, check_rendered

from . import stages
from .test_pages import rendered_version, signed_in

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).parents[3] / "src" / "corridor" / "service" / "web" / "templates"
STALE = "The plan was amended since you opened this page"  # version.stale, as the page says it
NO_SLOT = "There is no such proposed slot."  # slot.unknown
ACTION_FORM = re.compile(r"<form\b[^>]*{%\s*url\s+'(?:act|checkpoint-inspect)'.*?</form>", re.DOTALL)


def test_every_action_form_in_the_templates_carries_the_rendered_version():
    forms = [(path.name, form) for path in TEMPLATES.rglob("*.html") for form in ACTION_FORM.findall(path.read_text())]
    assert len(forms) >= 3  # the plan page, the checkpoint screen, the go board
    assert [name for name, form in forms if 'name="version"' not in form] == []


@pytest.mark.parametrize("kind", sorted(NEEDS_RENDERED_VERSION))
def test_each_content_dependent_action_refuses_a_missing_or_other_version(kind):
    plan = SimpleNamespace(id="p1", version="b" * 64, requester="org-a")
    for form in ({}, {"version": "a" * 64}):
        with pytest.raises(Refused) as refused:
            check_rendered(kind, QueryDict(mutable=True) | form, plan)
        assert refused.value.code == "version.stale"
    check_rendered(kind, {"version": "b" * 64}, plan)  # the page showed the current version


def _stale_answer(client, path: str, form: dict) -> str:
    with clock.frozen_at(stages.T + 3000):  # after every statement of the stages
        return client.post(path, form, follow=True).content.decode()


def test_consent_to_the_version_seen_is_refused_once_the_requester_amended(parties):
    stages.submitted(parties)
    border = signed_in("border")
    seen = rendered_version(border.get("/plans/p1").content.decode())
    stages.amend(parties, quantity=25)  # between the page load and the click
    page = _stale_answer(border, "/plans/p1/act/plan.consent", {"as": "border", "version": seen})
    assert STALE in page and "amended by org-a at 2023-09-11 08:23 UTC" in page
    assert "Lachin–Khankendi: Wheat flour quantity 20 → 25 t" in page  # the leg and the line by name, not id
    assert not StatementIndex.objects.filter(type="plan.consent").exists()
    fresh = rendered_version(border.get("/plans/p1").content.decode())
    with clock.frozen_at(stages.T + 3060):
        border.post("/plans/p1/act/plan.consent", {"as": "border", "version": fresh})
    assert StatementIndex.objects.filter(type="plan.consent", party="border").exists()


def test_a_refusal_of_the_version_seen_is_refused_once_the_requester_amended(parties):
    stages.submitted(parties)
    customs = signed_in("customs")
    seen = rendered_version(customs.get("/plans/p1").content.decode())
    stages.amend(parties)
    page = _stale_answer(customs, "/plans/p1/act/plan.refuse",
                         {"as": "customs", "version": seen, "reason": "manifest", "text": "too much flour"})
    assert STALE in page and "quantity 20 → 25" in page
    assert not StatementIndex.objects.filter(type="plan.refuse").exists()


def test_confirming_a_slot_on_a_page_from_before_an_amendment_is_refused(parties):
    stages.submitted(parties)
    stages.consented(parties)
    stages.slot_proposed(parties)
    border = signed_in("border")
    page = border.get("/plans/p1").content.decode()
    assert 'name="slot" value="s1"' in page and "16:00 UTC+4" in page  # the officer sees the slot
    seen = rendered_version(page)
    stages.amend(parties, at=stages.T + 2000)
    answer = _stale_answer(border, "/plans/p1/act/slot.confirm", {"as": "border", "version": seen, "slot": "s1"})
    assert STALE in answer and not StatementIndex.objects.filter(type="slot.confirm").exists()


def test_confirming_a_slot_confirms_the_one_shown_not_a_later_proposal(parties):
    stages.submitted(parties)
    stages.consented(parties)
    stages.slot_proposed(parties)
    border = signed_in("border")
    seen = rendered_version(border.get("/plans/p1").content.decode())
    stages.slot_proposed(parties, slot="s2", at=stages.T + 2000)  # the requester proposes another window
    answer = _stale_answer(border, "/plans/p1/act/slot.confirm", {"as": "border", "version": seen, "slot": "s1"})
    assert NO_SLOT in answer and not StatementIndex.objects.filter(type="slot.confirm").exists()


def test_an_inspection_from_a_page_showing_an_earlier_version_is_refused(parties):
    stages.submitted(parties)
    border = signed_in("border")
    seen = rendered_version(border.get("/plans/p1").content.decode())
    stages.amend(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    inspection = {"as": "border", "version": seen, "leg": "leg-a", "checkpoint": "lachin-checkpoint",
                  "found-flour": "25", "decision": "cleared"}
    with clock.frozen_at(1694434000):
        answer = border.post("/plans/p1/act/leg.inspect", inspection, follow=True).content.decode()
        assert STALE in answer and not StatementIndex.objects.filter(type="leg.inspect").exists()
        screen = border.get("/checkpoints/lachin-checkpoint").content.decode()
        border.post("/plans/p1/act/leg.inspect", inspection | {"version": rendered_version(screen)})
    assert StatementIndex.objects.filter(type="leg.inspect", party="border").exists()
