"""Something failed: the pages answer a page of their own in the reader's language, saying what may have been
recorded; the API and the public log answer JSON with a stable code, as every refusal does."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service.web import views

pytestmark = pytest.mark.django_db


def failing(*args, **kwargs):
    raise RuntimeError("the database went away")


@pytest.mark.parametrize(("language", "title"), [("en", "Something went wrong"), ("fr", "Une erreur s’est produite"),
                                                  ("ar", "حدث خطأ ما")])
def test_a_page_that_fails_answers_500_with_what_may_have_been_recorded(monkeypatch, language, title):
    monkeypatch.setattr(views, "public_summary", failing)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 500 and title in page and "Server Error (500)" not in page
    assert "<script" not in page and "the database went away" not in page
    if language == "en":
        assert "look at its timeline" in page


def test_the_api_still_answers_json_when_it_fails(monkeypatch):
    from corridor.service.api import reads

    monkeypatch.setattr(reads, "user_of", failing)
    response = Client(raise_request_exception=False).get("/api/v1/me")
    assert response.status_code == 500 and response.json()["code"] == "server.error"
