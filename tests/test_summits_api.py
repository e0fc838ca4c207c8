import datetime as dt
import json

import pytest

from events import schedule_cache
from events.models import Session
from events.signals import session_changed
from tests.conftest import make_session

pytestmark = pytest.mark.django_db


def test_summit_list_and_detail_are_public(anonymous_client, summit):
    listing = anonymous_client.get("/api/summits/")
    assert listing.status_code == 200
    assert [s["slug"] for s in listing.json()] == ["roadshow"]
    detail = anonymous_client.get("/api/summits/roadshow/")
    assert detail.json()["timezone"] == "Europe/Paris"
    assert detail.json()["organised_with"] == "Qingdao High-tech Zone"


def test_unknown_summit_is_404_with_detail(anonymous_client, db):
    response = anonymous_client.get("/api/summits/nowhere/schedule/")
    assert response.status_code == 404
    assert "nowhere" in response.json()["detail"]


def test_schedule_gives_utc_and_local_times_in_the_requested_zone(anonymous_client, keynote):
    response = anonymous_client.get("/api/summits/roadshow/schedule/", {"tz": "Asia/Shanghai"})
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "Asia/Shanghai"
    (session,) = body["sessions"]
    # 09:00 Paris on 29 March 2027 is summer time (UTC+2): 07:00 UTC, 15:00 in Shanghai.
    assert session["starts_at"] in ("2027-03-29T07:00:00Z", "2027-03-29T07:00:00+00:00")
    assert session["local"]["starts_at"].startswith("2027-03-29T15:00:00+08:00")


def test_schedule_defaults_to_the_summit_time_zone(anonymous_client, keynote):
    body = anonymous_client.get("/api/summits/roadshow/schedule/").json()
    assert body["timezone"] == "Europe/Paris"
    assert body["sessions"][0]["local"]["starts_at"].startswith("2027-03-29T09:00:00+02:00")


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "UTC+8", "../../etc/passwd"])
def test_schedule_with_an_unknown_time_zone_is_422(anonymous_client, summit, tz):
    response = anonymous_client.get("/api/summits/roadshow/schedule/", {"tz": tz} if tz else {"tz": " "})
    assert response.status_code == 422
    assert "detail" in response.json()


def test_schedule_hides_drafts_but_shows_cancellations(anonymous_client, summit, main_stage, keynote):
    make_session(summit, main_stage, "Secret draft", keynote.ends_at, status="draft")
    make_session(summit, main_stage, "Called off", keynote.ends_at + dt.timedelta(hours=1), status="cancelled")
    titles = {
        s["title"]: s["status"] for s in anonymous_client.get("/api/summits/roadshow/schedule/").json()["sessions"]
    }
    assert titles == {"Opening keynote": "published", "Called off": "cancelled"}


def test_schedule_query_count_does_not_grow_with_sessions(
    anonymous_client, summit, main_stage, speaker, django_assert_max_num_queries
):
    start = dt.datetime(2027, 3, 29, 7, tzinfo=dt.UTC)
    for n in range(12):
        session = make_session(summit, main_stage, f"Talk {n}", start + dt.timedelta(hours=n))
        session.speakers.add(speaker)
    with django_assert_max_num_queries(4):
        response = anonymous_client.get("/api/summits/roadshow/schedule/")
    assert len(response.json()["sessions"]) == 12


def test_openapi_document_describes_the_api(anonymous_client, db):
    paths = anonymous_client.get("/api/openapi.json").json()["paths"]
    assert "/api/summits/{slug}/schedule/" in paths
    assert "/api/summits/{slug}/registrations/" in paths


def test_openapi_document_names_each_answer_once(anonymous_client, db):
    """Swagger UI refuses a document with a key written twice (an endpoint's 404 and the shared 404)."""
    repeated = []

    def no_repeats(pairs):
        keys = [key for key, _value in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    document = json.loads(anonymous_client.get("/api/openapi.json").content, object_pairs_hook=no_repeats)
    create_session = document["paths"]["/api/summits/{slug}/sessions/"]["post"]["responses"]
    assert {"403", "404", "422"} <= create_session.keys()
    assert repeated == []


# --- the schedule document: built once, dropped when the programme changes ---


def test_a_second_schedule_request_runs_no_query(anonymous_client, keynote, django_assert_num_queries):
    first = anonymous_client.get("/api/summits/roadshow/schedule/")
    with django_assert_num_queries(0):
        again = anonymous_client.get("/api/summits/roadshow/schedule/")
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]


def test_a_programme_change_shows_in_the_next_schedule(anonymous_client, summit, main_stage, keynote):
    anonymous_client.get("/api/summits/roadshow/schedule/")
    keynote.title = "Opening keynote, new title"
    keynote.save()
    make_session(summit, main_stage, "Added late", keynote.ends_at)
    titles = [s["title"] for s in anonymous_client.get("/api/summits/roadshow/schedule/").json()["sessions"]]
    assert titles == ["Opening keynote, new title", "Added late"]


def test_the_schedule_is_kept_per_zone_and_language(anonymous_client, keynote):
    schedule_cache._served.clear()  # this process's documents, whatever earlier tests asked for
    paris = anonymous_client.get("/api/summits/roadshow/schedule/").json()
    shanghai = anonymous_client.get("/api/summits/roadshow/schedule/", {"tz": "Asia/Shanghai"}).json()
    assert (paris["timezone"], shanghai["timezone"]) == ("Europe/Paris", "Asia/Shanghai")
    anonymous_client.get("/api/summits/roadshow/schedule/", HTTP_ACCEPT_LANGUAGE="fr")
    kept = {tuple(key.split(":")[-2:]) for key in schedule_cache._served}
    # No Accept-Language: the summit's main language, whatever it is, under one key for every such reader.
    assert kept == {("", "main"), ("Asia/Shanghai", "main"), ("", "fr")}


def test_the_session_changed_signal_drops_every_schedule(anonymous_client, keynote, django_assert_num_queries):
    anonymous_client.get("/api/summits/roadshow/schedule/")
    session_changed.send(Session, session_id=keynote.pk, change="updated")
    with django_assert_num_queries(3):  # built again: the summit, its sessions, their speakers
        anonymous_client.get("/api/summits/roadshow/schedule/")


# --- anonymous schedule requests answered before Django (summit/asgi.py) ---


@pytest.fixture
def asgi_db(transactional_db):
    """These go through the whole ASGI application, so Django runs each request in a thread of its own.

    On SQLite's in-memory test database Django never closes such a thread's connection (closing
    would drop the database) and the run ends with unraisable ResourceWarnings: PostgreSQL only.
    """
    from django.db import connection

    from summit.asgi import application

    if connection.vendor != "postgresql":
        pytest.skip("requests through the ASGI application are checked on PostgreSQL")
    application.application_mapping["http"].responses.clear()  # answers kept by earlier tests' requests


async def asgi_get(path, headers=()):
    from channels.testing import HttpCommunicator

    from summit.asgi import application

    communicator = HttpCommunicator(application, "GET", path, headers=[(b"host", b"127.0.0.1"), *headers])
    response = await communicator.get_response(timeout=10)
    return response["status"], dict(response["headers"]), response["body"]


@pytest.fixture
def django_requests():
    """How many requests entered Django (its request_started signal)."""
    from django.core.signals import request_started

    seen = []

    def count(**kwargs):
        seen.append(1)

    request_started.connect(count)
    yield seen
    request_started.disconnect(count)


async def test_an_anonymous_schedule_request_is_answered_again_without_entering_django(
    asgi_db, keynote, django_requests
):
    first = await asgi_get("/api/summits/roadshow/schedule/?tz=Asia/Shanghai")
    again = await asgi_get("/api/summits/roadshow/schedule/?tz=Asia/Shanghai")
    assert first == again and first[0] == 200 and b"Opening keynote" in first[2]
    assert len(django_requests) == 1


async def test_a_schedule_request_with_a_cookie_always_goes_through_django(asgi_db, keynote, django_requests):
    for _ in range(2):
        status, _headers, _body = await asgi_get("/api/summits/roadshow/schedule/", [(b"cookie", b"sessionid=x")])
        assert status == 200
    assert len(django_requests) == 2


async def test_an_anonymous_schedule_page_is_the_same_for_every_visitor_and_kept(asgi_db, keynote, django_requests):
    first = await asgi_get("/summits/roadshow/schedule/")
    again = await asgi_get("/summits/roadshow/schedule/")
    assert first == again and first[0] == 200 and b"Opening keynote" in first[2]
    assert b"set-cookie" not in first[1] and b"csrfmiddlewaretoken" not in first[2]
    assert len(django_requests) == 1


async def test_zone_and_language_cookies_are_part_of_the_kept_answer(asgi_db, keynote, django_requests):
    shanghai = [(b"cookie", b"summit_tz=Asia%2FShanghai; django_language=fr")]
    paris = await asgi_get("/summits/roadshow/schedule/")
    in_shanghai = await asgi_get("/summits/roadshow/schedule/", shanghai)
    again = await asgi_get("/summits/roadshow/schedule/", shanghai)
    assert in_shanghai == again and in_shanghai != paris
    assert b"Asia/Shanghai" in in_shanghai[2] and b'lang="fr"' in in_shanghai[2]
    assert len(django_requests) == 2


async def test_any_other_cookie_sends_the_schedule_page_through_django(asgi_db, keynote, django_requests):
    for _ in range(2):
        status, _headers, _body = await asgi_get(
            "/summits/roadshow/schedule/", [(b"cookie", b"summit_tz=Asia%2FShanghai; csrftoken=x")]
        )
        assert status == 200
    assert len(django_requests) == 2


async def test_a_session_cookie_in_a_second_cookie_header_still_goes_through_django(asgi_db, keynote, django_requests):
    for _ in range(2):
        status, _headers, _body = await asgi_get(
            "/summits/roadshow/schedule/", [(b"cookie", b"sessionid=x"), (b"cookie", b"summit_tz=Asia%2FShanghai")]
        )
        assert status == 200
    assert len(django_requests) == 2


async def test_a_kept_schedule_response_lasts_only_its_moment(asgi_db, keynote, django_requests, monkeypatch):
    from events.schedule_cache import AnonymousScheduleResponses

    monkeypatch.setattr(AnonymousScheduleResponses, "RESPONSE_SECONDS", 0.0)
    for _ in range(2):
        await asgi_get("/api/summits/roadshow/schedule/")
    assert len(django_requests) == 2


def test_schedule_of_a_summit_slug_with_any_characters_is_404_not_500(anonymous_client, summit):
    response = anonymous_client.get("/api/summits/%C3%B8%0A%27g%F1%93%BB%B2I/schedule/?tz=Asia/Shanghai")
    assert response.status_code == 404
    assert response.json()["detail"]
