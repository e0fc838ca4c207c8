"""A database that is down, or whose pool has no free connection, answers 503 with a detail, never 500."""

import pytest
from django.db import OperationalError

from events import api as events_api
from events import views as events_views

POOL_EXHAUSTED = OperationalError("couldn't get a connection after 10.00 sec")


@pytest.fixture
def database_busy(monkeypatch):
    def busy(*args, **kwargs):
        raise POOL_EXHAUSTED

    monkeypatch.setattr(events_api.services, "access_summit", busy)
    monkeypatch.setattr(events_views.services, "access_summit", busy)


def test_the_api_answers_503_with_a_json_detail_when_no_database_connection_is_free(client, summit, database_busy):
    response = client.get(f"/api/summits/{summit.slug}/")
    assert response.status_code == 503
    assert response.json()["detail"] == "This is unavailable for a moment. Try again shortly."
    assert response["Retry-After"] == "5"


def test_a_page_answers_503_when_no_database_connection_is_free(client, summit, database_busy):
    response = client.get(f"/summits/{summit.slug}/schedule/")
    assert response.status_code == 503
    assert "This is unavailable for a moment" in response.content.decode()
