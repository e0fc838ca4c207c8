"""The browsable API docs: served from our own assets, and "Try it out" passes Django's CSRF check."""

import re

import pytest

from events.models import Session

pytestmark = pytest.mark.django_db


def docs_token(client):
    page = client.get("/api/docs").content.decode()
    return page, re.search(r'data-csrf-token="([^"]+)"', page).group(1)


def test_api_docs_load_nothing_from_another_host(organiser_client):
    page, _token = docs_token(organiser_client)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert all(source.startswith("/") for source in sources), sources


def test_try_it_out_sends_a_csrf_token_django_accepts(organiser_client, main_stage):
    page, token = docs_token(organiser_client)
    assert 'data-api-csrf="true"' in page
    body = {
        "title": "Tried out",
        "room": "main-stage",
        "starts_at": "2027-03-29T14:00:00+02:00",
        "ends_at": "2027-03-29T15:00:00+02:00",
    }
    refused = organiser_client.post("/api/summits/roadshow/sessions/", body, content_type="application/json")
    assert refused.status_code == 403
    response = organiser_client.post(
        "/api/summits/roadshow/sessions/", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.content
    assert Session.objects.filter(title="Tried out").exists()
