"""The server-rendered pages a newcomer walks through, in their own time zone."""

import datetime as dt

import pytest
from django.test import Client

from events import schedule_cache
from events.middleware import TZ_COOKIE
from tests.conftest import at_paris, count_queries, make_person, make_session, signed_in

pytestmark = pytest.mark.django_db

SLUG = "roadshow"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/summits/{SLUG}/",
        f"/summits/{SLUG}/schedule/",
        f"/summits/{SLUG}/register/",
        f"/summits/{SLUG}/companies/fair-vision/",
        "/signin/",
    ],
)
def test_public_pages_render(path, keynote, pitch):
    response = Client().get(path)
    assert response.status_code == 200
    assert b"<main" in response.content


def test_session_page_renders_with_stream_and_speakers(keynote, speaker):
    keynote.stream_url = "https://www.youtube-nocookie.com/embed/demo"
    keynote.save()
    keynote.speakers.add(speaker)
    response = Client().get(f"/summits/{SLUG}/sessions/{keynote.pk}/")
    assert response.status_code == 200
    assert b"youtube-nocookie.com/embed/demo" in response.content
    assert b"Julien Marchetti" in response.content


def test_a_session_page_says_what_its_track_is_about_in_the_readers_language(keynote, track):
    track.description_en = "Machine learning for industry."
    track.description_fr = "L'apprentissage automatique pour l'industrie."
    track.save()
    keynote.track = track
    keynote.save()
    page = Client().get(f"/summits/{SLUG}/sessions/{keynote.pk}/", headers={"accept-language": "fr"})
    assert "L'apprentissage automatique pour l'industrie." in page.content.decode().replace("&#x27;", "'")


def test_unknown_summit_session_and_company_pages_are_404(keynote):
    client = Client()
    assert client.get("/summits/nowhere/").status_code == 404
    assert client.get(f"/summits/{SLUG}/sessions/999999/").status_code == 404
    assert client.get(f"/summits/{SLUG}/companies/nobody/").status_code == 404


def test_schedule_shows_times_in_the_chosen_time_zone_and_remembers_it(keynote):
    client = Client()
    paris = client.get(f"/summits/{SLUG}/schedule/", {"tz": "Europe/Paris"})
    assert b">09:00</time>" in paris.content
    shanghai = client.get(f"/summits/{SLUG}/schedule/", {"tz": "Asia/Shanghai"})
    assert b">15:00</time>" in shanghai.content
    assert shanghai.cookies[TZ_COOKIE].value == "Asia/Shanghai"
    assert b">15:00</time>" in client.get(f"/summits/{SLUG}/schedule/").content


def test_schedule_uses_the_browser_time_zone_cookie_by_default(keynote):
    client = Client()
    client.cookies[TZ_COOKIE] = "Asia/Shanghai"
    assert b">15:00</time>" in client.get(f"/summits/{SLUG}/schedule/").content


def test_signed_in_person_sees_their_saved_time_zone(keynote, attendee_shanghai):
    client = Client()
    client.force_login(attendee_shanghai)
    assert b">15:00</time>" in client.get(f"/summits/{SLUG}/schedule/").content


def test_unknown_time_zone_on_the_schedule_is_a_clear_422(keynote):
    response = Client().get(f"/summits/{SLUG}/schedule/", {"tz": "Atlantis/Capital"})
    assert response.status_code == 422
    assert b"Atlantis/Capital" in response.content


def test_schedule_page_runs_as_many_queries_for_twelve_sessions_as_for_two(summit, main_stage, keynote, pitch, speaker):
    client = Client()
    client.get(f"/summits/{SLUG}/schedule/")  # warm: the first request of a process loads more

    def built_afresh():  # the grid is cached (events/schedule_cache.py): count a build, not a hit
        schedule_cache.forget_schedules()
        return client.get(f"/summits/{SLUG}/schedule/")

    small, small_count = count_queries(built_afresh)
    for n in range(10):
        extra = make_session(summit, main_stage, f"Talk {n}", at_paris(dt.date(2027, 3, 30), f"{8 + n}:00"))
        extra.speakers.add(speaker)
    large, large_count = count_queries(built_afresh)
    assert small.status_code == large.status_code == 200
    assert large.content.count(b"Talk ") == 10
    assert large_count == small_count


def test_preferences_save_time_zone_and_language_on_the_profile(attendee_paris):
    client = Client()
    client.force_login(attendee_paris)
    response = client.post("/preferences/", {"timezone": "Asia/Shanghai", "language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    attendee_paris.profile.refresh_from_db()
    assert (attendee_paris.profile.timezone, attendee_paris.profile.language) == ("Asia/Shanghai", "zh-hans")


def test_preferences_refuse_unknown_values(attendee_paris):
    client = Client()
    client.force_login(attendee_paris)
    assert client.post("/preferences/", {"timezone": "Nowhere/Land"}).status_code == 422
    assert client.post("/preferences/", {"language": "tlh"}).status_code == 422
    attendee_paris.profile.refresh_from_db()
    assert attendee_paris.profile.timezone == "Europe/Paris"


def test_my_agenda_page_needs_sign_in(summit):
    response = Client().get(f"/summits/{SLUG}/agenda/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin/")


def test_organiser_dashboard_is_for_organisers_only(organiser, attendee_paris, keynote):
    client = Client()
    client.force_login(attendee_paris)
    assert client.get(f"/summits/{SLUG}/organiser/").status_code == 403
    client.force_login(organiser)
    response = client.get(f"/summits/{SLUG}/organiser/")
    assert response.status_code == 200
    assert b"Opening keynote" in response.content


def test_organiser_dashboard_links_to_the_attendance_report_and_partnering_dashboard(organiser):
    page = signed_in(organiser).get(f"/summits/{SLUG}/organiser/").content.decode()
    assert f'href="/summits/{SLUG}/reports/attendance/"' in page
    assert f'href="/summits/{SLUG}/partnering/organiser/"' in page


def test_organiser_signs_in_with_a_password(organiser):
    client = Client()
    response = client.post(
        "/signin/",
        {"username": "organiser", "password": "correct horse battery", "next": f"/summits/{SLUG}/organiser/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/summits/{SLUG}/organiser/"
    assert client.get(f"/summits/{SLUG}/organiser/").status_code == 200


def test_a_person_signed_in_elsewhere_joins_this_summit_with_one_button(summit):
    person = make_person("wanderer")
    client = Client()
    client.force_login(person)
    assert b'method="post"' in client.get(f"/summits/{SLUG}/register/").content
    assert client.post(f"/summits/{SLUG}/register/").status_code == 302
    assert person.registrations.filter(summit=summit).exists()


def test_user_text_is_escaped(summit, main_stage):
    import datetime as dt

    from tests.conftest import at_paris, make_session

    make_session(summit, main_stage, "<script>alert(1)</script>", at_paris(dt.date(2027, 3, 29), "12:00"))
    content = Client().get(f"/summits/{SLUG}/schedule/").content
    assert b"<script>alert(1)</script>" not in content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_the_schedule_grid_of_visitors_who_cannot_bookmark_is_built_once(
    summit, main_stage, keynote, pitch, django_assert_max_num_queries
):
    first = Client().get(f"/summits/{SLUG}/schedule/")
    with django_assert_max_num_queries(1):  # the summit; the grid comes from the cache
        again = Client().get(f"/summits/{SLUG}/schedule/")
    assert again.status_code == first.status_code == 200
    assert b"Opening keynote" in again.content
