"""An unknown path under /api/ answers JSON 404 like the rest of the API, whether DEBUG is on or off."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/no-such-thing/", "/api/summits/roadshow/no/such/path/", "/api/nope.json"])
def test_an_unknown_api_path_is_a_json_404_in_every_mode(client, debug, path):
    with override_settings(DEBUG=debug):
        response = client.get(path)
        posted = client.post(path, {}, content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}
    assert posted.status_code in (403, 404) and posted["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_trailing_slash_is_still_redirected(client, debug):
    with override_settings(DEBUG=debug):
        assert client.get("/api/summits").status_code == 301


def test_an_unknown_page_outside_the_api_stays_a_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
