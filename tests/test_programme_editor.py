"""The organisers' programme editor: pages for organisers only, over the same session rules as the API."""

import datetime as dt
import re

import pytest

from events.models import Company, Room, Session, Speaker, Track
from events.signals import session_changed
from tests.conftest import at_paris, csrf_headers, make_person, make_session, signed_in

pytestmark = pytest.mark.django_db

SLUG = "roadshow"
EDITOR = f"/summits/{SLUG}/organiser/programme/"
DAY_ONE = dt.date(2027, 3, 29)


@pytest.fixture
def heard():
    changes = []

    def listener(sender, session_id, change, **kwargs):
        changes.append(change)

    session_changed.connect(listener)
    yield changes
    session_changed.disconnect(listener)


@pytest.fixture
def french_organiser(organiser):
    organiser.profile.language = "fr"
    organiser.profile.save()
    return organiser


def post(client, url, data, **extra):
    return client.post(url, data, headers=csrf_headers(client), **extra)


def session_form(room, title, start, end, **fields):
    return {
        "title_en": title,
        "title_fr": "",
        "title_zh_hans": "",
        "description_en": "",
        "description_fr": "",
        "description_zh_hans": "",
        "room": room.slug,
        "starts_at": start,
        "ends_at": end,
        "track": "",
        "company": "",
        "language": "en",
        "stream_url": "",
        "status": "published",
        **fields,
    }


def editor_pages(keynote, main_stage, track, speaker, fair_vision):
    return [
        EDITOR,
        EDITOR + "sessions/new/",
        EDITOR + f"sessions/{keynote.pk}/",
        EDITOR + "run-sheet/2027-03-29/",
        EDITOR + "rooms/",
        EDITOR + "rooms/new/",
        EDITOR + f"rooms/{main_stage.pk}/",
        EDITOR + "tracks/",
        EDITOR + "tracks/new/",
        EDITOR + f"tracks/{track.pk}/",
        EDITOR + "speakers/",
        EDITOR + "speakers/new/",
        EDITOR + f"speakers/{speaker.pk}/",
        EDITOR + "companies/",
        EDITOR + "companies/new/",
        EDITOR + f"companies/{fair_vision.pk}/",
    ]


# --- who may open the editor ---------------------------------------------------------------------


def test_every_editor_page_opens_for_an_organiser(organiser_client, keynote, main_stage, track, speaker, fair_vision):
    for url in editor_pages(keynote, main_stage, track, speaker, fair_vision):
        assert organiser_client.get(url).status_code == 200, url


def test_editor_pages_are_forbidden_to_attendees(attendee_client, keynote, main_stage, track, speaker, fair_vision):
    for url in editor_pages(keynote, main_stage, track, speaker, fair_vision):
        assert attendee_client.get(url).status_code == 403, url
    response = post(attendee_client, EDITOR + f"sessions/{keynote.pk}/cancel/", {})
    assert response.status_code == 403
    keynote.refresh_from_db()
    assert keynote.status == Session.Status.PUBLISHED


def test_editor_sends_an_anonymous_visitor_to_sign_in(anonymous_client, summit):
    response = anonymous_client.get(EDITOR)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin/?next=")


def test_staff_status_alone_does_not_open_the_editor(summit):
    staff = make_person("staffer", is_staff=True)
    assert signed_in(staff).get(EDITOR).status_code == 403


def test_dashboard_links_to_the_editor_instead_of_the_admin(organiser_client, summit):
    page = organiser_client.get(f"/summits/{SLUG}/organiser/").content.decode()
    assert f'href="{EDITOR}"' in page
    assert "/admin/" not in page


# --- sessions: the API's rules, shown on the form ------------------------------------------------------


def test_a_session_is_created_in_the_organisers_zone(
    organiser_client, main_stage, speaker, track, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            organiser_client,
            EDITOR + "sessions/new/",
            session_form(
                main_stage,
                "Robotics panel",
                "2027-03-29T14:00",
                "2027-03-29T15:00",
                track=track.slug,
                speakers=[speaker.pk],
                language="fr",
            ),
        )
    session = Session.objects.get(title="Robotics panel")
    assert response.status_code == 302
    assert response.headers["Location"] == EDITOR + f"sessions/{session.pk}/"
    assert session.starts_at == at_paris(DAY_ONE, "14:00")  # Claire is in Paris
    assert (session.track, session.language, list(session.speakers.all())) == (track, "fr", [speaker])
    assert heard == ["created"]


def test_an_overlap_is_refused_on_the_form_in_the_organisers_language(french_organiser, keynote, main_stage):
    client = signed_in(french_organiser)
    response = post(
        client, EDITOR + "sessions/new/", session_form(main_stage, "Clash", "2027-03-29T09:30", "2027-03-29T10:30")
    )
    assert response.status_code == 422
    assert "Opening keynote\u00a0» a déjà lieu dans Main stage à cet horaire\u202f: " in response.content.decode()
    assert "(Europe/Paris)." in response.content.decode()  # says when the other session is
    assert 'value="Clash"' in response.content.decode()  # what was typed is kept
    assert not Session.objects.filter(title="Clash").exists()


def test_a_session_ending_before_it_starts_is_refused(organiser_client, main_stage):
    response = post(
        organiser_client,
        EDITOR + "sessions/new/",
        session_form(main_stage, "Backwards", "2027-03-29T10:00", "2027-03-29T09:00"),
    )
    assert response.status_code == 422
    assert "A session must end after it starts." in response.content.decode()
    assert not Session.objects.filter(title="Backwards").exists()


def test_a_room_of_another_summit_is_refused(organiser_client, summit, keynote):
    from events.models import Summit

    other = Summit.objects.create(slug="other", name="Other", starts_on=DAY_ONE, ends_on=DAY_ONE)
    room = Room.objects.create(summit=other, slug="elsewhere", name="Elsewhere")
    response = post(
        organiser_client,
        EDITOR + f"sessions/{keynote.pk}/",
        session_form(room, "Opening keynote", "2027-03-29T09:00", "2027-03-29T10:00"),
    )
    assert response.status_code == 422
    keynote.refresh_from_db()
    assert keynote.room.summit == summit


def test_moving_a_session_bumps_its_sequence_and_tells_the_scheduler(
    organiser_client, keynote, pitch_room, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            organiser_client,
            EDITOR + f"sessions/{keynote.pk}/",
            session_form(pitch_room, "Opening keynote", "2027-03-29T11:00", "2027-03-29T12:00"),
        )
    assert response.status_code == 302
    keynote.refresh_from_db()
    assert (keynote.room, keynote.starts_at, keynote.sequence) == (pitch_room, at_paris(DAY_ONE, "11:00"), 1)
    assert heard == ["rescheduled"]


def test_cancel_then_restore_goes_through_the_session_services(
    organiser_client, keynote, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(organiser_client, EDITOR + f"sessions/{keynote.pk}/cancel/", {})
    keynote.refresh_from_db()
    assert keynote.status == Session.Status.CANCELLED
    page = organiser_client.get(EDITOR + f"sessions/{keynote.pk}/").content.decode()
    assert "Restore the session" in page
    with django_capture_on_commit_callbacks(execute=True):
        post(organiser_client, EDITOR + f"sessions/{keynote.pk}/restore/", {})
    keynote.refresh_from_db()
    assert (keynote.status, keynote.sequence) == (Session.Status.PUBLISHED, 2)
    assert heard == ["cancelled", "restored"]


def test_restoring_into_a_room_taken_meanwhile_is_refused(organiser, organiser_client, keynote, main_stage):
    from events import services

    services.do_cancel_session(organiser, keynote)
    make_session(keynote.summit, main_stage, "Replacement", keynote.starts_at, 60)
    response = post(organiser_client, EDITOR + f"sessions/{keynote.pk}/restore/", {}, follow=True)
    # When the other session is, in the reader's time zone (Europe/Paris here) and language.
    assert "Main stage already has “Replacement” at that time: Monday 29 March, 09:00–10:00 (Europe/Paris)." in (
        response.content.decode()
    )
    keynote.refresh_from_db()
    assert keynote.status == Session.Status.CANCELLED


def test_editing_a_cancelled_session_keeps_it_cancelled(organiser, organiser_client, keynote, main_stage):
    from events import services

    services.do_cancel_session(organiser, keynote)
    post(
        organiser_client,
        EDITOR + f"sessions/{keynote.pk}/",
        session_form(main_stage, "Opening keynote (moved)", "2027-03-29T09:00", "2027-03-29T10:00"),
    )
    keynote.refresh_from_db()
    assert (keynote.title, keynote.status) == ("Opening keynote (moved)", Session.Status.CANCELLED)


def test_a_speaker_in_two_rooms_at_once_is_a_warning_not_a_refusal(
    organiser_client, summit, keynote, pitch_room, speaker
):
    keynote.speakers.set([speaker])
    response = post(
        organiser_client,
        EDITOR + "sessions/new/",
        session_form(pitch_room, "Fair Vision demo", "2027-03-29T09:15", "2027-03-29T09:45", speakers=[speaker.pk]),
        follow=True,
    )
    assert Session.objects.filter(title="Fair Vision demo").exists()
    warning = "Julien Marchetti is also in “Opening keynote” (Main stage) at that time."
    assert warning in response.content.decode()
    demo = Session.objects.get(title="Fair Vision demo")
    assert warning in organiser_client.get(EDITOR + f"sessions/{demo.pk}/").content.decode()  # and it stays shown


def test_the_form_shows_the_partner_zone_beside_the_organisers(organiser_client, summit, keynote):
    summit.partner_timezone = "Asia/Shanghai"
    summit.save()
    page = organiser_client.get(EDITOR + f"sessions/{keynote.pk}/").content.decode()
    assert "When, in your time zone (Europe/Paris)" in page
    assert 'data-other-zone="Asia/Shanghai"' in page
    assert "Mon 29 Mar, 15:00" in page  # 09:00 in Paris is 15:00 in Shanghai


# --- the session list and the run sheet ---------------------------------------------------------------


def test_the_session_list_filters_by_day_room_track_and_status(
    organiser, organiser_client, summit, keynote, pitch, main_stage, track
):
    from events import services

    late = make_session(summit, main_stage, "Closing talk", at_paris(DAY_ONE, "17:00"), track=track)
    draft = make_session(summit, main_stage, "Secret draft", at_paris(DAY_ONE, "18:00"), status="draft")
    services.do_cancel_session(organiser, pitch)

    def titles(query):
        page = organiser_client.get(EDITOR + query).content.decode()
        return [s.title for s in (keynote, pitch, late, draft) if f">{s.title}</a>" in page]

    assert titles("") == ["Opening keynote", "Fair Vision pitch", "Closing talk", "Secret draft"]
    assert titles("?day=2027-03-30") == ["Fair Vision pitch"]
    assert titles("?room=main-stage") == ["Opening keynote", "Closing talk", "Secret draft"]
    assert titles("?track=ai") == ["Closing talk"]
    assert titles("?status=cancelled") == ["Fair Vision pitch"]
    assert titles("?status=draft&day=2027-03-29") == ["Secret draft"]


def test_the_session_list_takes_a_fixed_number_of_queries(
    organiser_client, summit, main_stage, speaker, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            session = make_session(
                summit, main_stage, f"Talk {n}", at_paris(DAY_ONE, "08:00") + dt.timedelta(hours=n), 30
            )
            session.speakers.set([speaker])

    add(2)
    with django_assert_max_num_queries(20) as small:
        organiser_client.get(EDITOR)
    Session.objects.all().delete()
    add(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        organiser_client.get(EDITOR)


def test_the_run_sheet_lists_one_day_in_running_order_with_both_zones(
    organiser_client, summit, keynote, pitch, speaker
):
    summit.partner_timezone = "Asia/Shanghai"
    summit.save()
    keynote.speakers.set([speaker])
    page = organiser_client.get(EDITOR + "run-sheet/2027-03-29/").content.decode()
    assert "Opening keynote" in page and "Fair Vision pitch" not in page
    assert "09:00–10:00" in page and "15:00–16:00" in page
    assert "Julien Marchetti" in page
    assert organiser_client.get(EDITOR + "run-sheet/not-a-day/").status_code == 404


# --- rooms, tracks, themes, speakers, companies ------------------------------------------------------


def test_the_room_list_links_to_each_rooms_live_stage_page_which_opens(organiser_client, main_stage, pitch_room):
    page = organiser_client.get(EDITOR + "rooms/").content.decode()
    for room in (main_stage, pitch_room):
        url = f"/summits/{SLUG}/rooms/{room.slug}/go-live/"
        assert f'href="{url}"' in page
        assert organiser_client.get(url).status_code == 200


def test_a_room_is_created_with_kind_capacity_and_stream(organiser_client, summit):
    response = post(
        organiser_client,
        EDITOR + "rooms/new/",
        {
            "name_en": "Robotics hall",
            "name_fr": "Hall robotique",
            "name_zh_hans": "",
            "slug": "",
            "kind": "stage",
            "capacity": "300",
            "description_en": "Hall B",
            "stream_url": "https://player.vimeo.com/video/1",
            "position": "2",
        },
    )
    assert response.status_code == 302
    room = Room.objects.get(summit=summit, slug="robotics-hall")
    assert (room.kind, room.capacity, room.stream_url) == ("stage", 300, "https://player.vimeo.com/video/1")


def test_a_room_address_already_used_is_refused(organiser_client, main_stage, pitch_room):
    response = post(
        organiser_client,
        EDITOR + f"rooms/{pitch_room.pk}/",
        {
            "name_en": "Fair Vision",
            "slug": "main-stage",
            "kind": "pitch",
            "capacity": "",
            "description_en": "",
            "stream_url": "",
            "position": "1",
        },
    )
    assert response.status_code == 422
    assert "“main-stage” is already used in this summit" in response.content.decode()
    pitch_room.refresh_from_db()
    assert pitch_room.slug == "fair-vision"


def test_private_meeting_rooms_are_not_the_editors_business(organiser_client, summit):
    meeting_room = Room.objects.create(summit=summit, slug="meeting-1", name="Meeting", kind=Room.Kind.MEETING)
    assert organiser_client.get(EDITOR + f"rooms/{meeting_room.pk}/").status_code == 404
    assert "meeting-1" not in organiser_client.get(EDITOR + "rooms/").content.decode()


def test_an_organiser_in_shanghai_sees_the_summits_zone_beside_their_own(organiser, organiser_client, summit, keynote):
    summit.partner_timezone = "Asia/Shanghai"
    summit.save()
    organiser.profile.timezone = "Asia/Shanghai"
    organiser.profile.save()
    page = organiser_client.get(EDITOR + f"sessions/{keynote.pk}/").content.decode()
    assert "When, in your time zone (Asia/Shanghai)" in page
    assert 'data-other-zone="Europe/Paris"' in page


def test_tracks_and_themes_are_edited(organiser_client, summit):
    post(organiser_client, EDITOR + "tracks/new/", {"name_en": "Medical devices", "slug": "", "colour": "#aa3300"})
    assert Track.objects.get(summit=summit).slug == "medical-devices"
    rows = {"key_0": "AI/ICT", "theme_0_en": "AI/ICT", "key_1": "Medical devices", "theme_2_en": "Robotics"}
    post(organiser_client, EDITOR + "tracks/", rows)
    summit.refresh_from_db()
    assert summit.themes == ["AI/ICT", "robotics"]


def test_deleting_a_track_keeps_its_sessions_on_the_programme(organiser_client, keynote, track):
    keynote.track = track
    keynote.save()
    page = organiser_client.get(EDITOR + f"tracks/{track.pk}/").content.decode()
    assert f'action="{EDITOR}tracks/{track.pk}/delete/"' in page
    asked = post(organiser_client, EDITOR + f"tracks/{track.pk}/delete/", {})
    assert asked.status_code == 200 and "Opening keynote" in asked.content.decode()  # asks first, naming the sessions
    assert 'name="confirmed" value="yes"' in asked.content.decode()
    assert Track.objects.filter(pk=track.pk).exists()
    response = post(organiser_client, EDITOR + f"tracks/{track.pk}/delete/", {"confirmed": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == EDITOR + "tracks/"
    assert not Track.objects.filter(pk=track.pk).exists()
    keynote.refresh_from_db()
    assert (keynote.status, keynote.track) == (Session.Status.PUBLISHED, None)


def test_an_unused_track_is_deleted_at_once(organiser_client, track):
    response = post(organiser_client, EDITOR + f"tracks/{track.pk}/delete/", {})
    assert response.status_code == 302 and not Track.objects.filter(pk=track.pk).exists()


def test_an_attendee_cannot_delete_a_track(attendee_client, track):
    response = post(attendee_client, EDITOR + f"tracks/{track.pk}/delete/", {})
    assert response.status_code == 403
    assert Track.objects.filter(pk=track.pk).exists()


def test_a_speaker_is_created_with_name_organisation_and_bio(organiser_client, summit, fair_vision):
    response = post(
        organiser_client,
        EDITOR + "speakers/new/",
        {
            "name": "Zhang Min",
            "title_en": "Professor",
            "organisation": "UHRS",
            "company": "",
            "bio_en": "Rehabilitation.",
            "bio_zh_hans": "康复工程。",
        },
    )
    assert response.status_code == 302
    speaker = Speaker.objects.get(summit=summit, name="Zhang Min")
    assert (speaker.bio_en, speaker.bio_zh_hans) == ("Rehabilitation.", "康复工程。")


def test_company_members_are_set_by_email(organiser_client, summit, fair_vision, attendee_paris, attendee_shanghai):
    response = post(
        organiser_client,
        EDITOR + f"companies/{fair_vision.pk}/",
        {
            "name_en": "Fair Vision",
            "slug": "fair-vision",
            "tagline_en": "",
            "description_en": "Sports analytics.",
            "country": "FR",
            "website": "",
            "member_emails": "CAMILLE@example.org\nlina@example.org",
        },
    )
    assert response.status_code == 302
    assert set(fair_vision.members.all()) == {attendee_paris, attendee_shanghai}


def test_an_unknown_member_email_is_refused_by_name(organiser_client, summit, fair_vision, attendee_paris):
    fair_vision.members.set([attendee_paris])
    response = post(
        organiser_client,
        EDITOR + f"companies/{fair_vision.pk}/",
        {
            "name_en": "Fair Vision",
            "slug": "fair-vision",
            "country": "FR",
            "website": "",
            "member_emails": "camille@example.org\nnobody@example.org",
        },
    )
    assert response.status_code == 422
    assert "Not registered for this summit: nobody@example.org." in response.content.decode()
    assert list(fair_vision.members.all()) == [attendee_paris]


def test_a_new_company_gets_its_address_from_its_name(organiser_client, summit):
    post(
        organiser_client,
        EDITOR + "companies/new/",
        {"name_en": "Qingdao Robotics", "slug": "", "country": "CN", "website": "", "member_emails": ""},
    )
    assert Company.objects.filter(summit=summit, slug="qingdao-robotics").exists()


# --- content in each language, side by side -----------------------------------------------------------


def test_a_session_is_written_in_each_language_side_by_side(organiser_client, main_stage):
    post(
        organiser_client,
        EDITOR + "sessions/new/",
        session_form(
            main_stage,
            "Robotics panel",
            "2027-03-29T14:00",
            "2027-03-29T15:00",
            title_fr="Table ronde robotique",
            title_zh_hans="机器人圆桌",
            description_fr="Débat.",
        ),
    )
    session = Session.objects.get(title_en="Robotics panel")
    assert (session.title_fr, session.title_zh_hans, session.description_fr) == (
        "Table ronde robotique",
        "机器人圆桌",
        "Débat.",
    )


def test_the_editor_marks_the_languages_still_missing(organiser_client, keynote):
    page = organiser_client.get(EDITOR + f"sessions/{keynote.pk}/").content.decode()
    title_group = page[page.index('<fieldset class="languages">') : page.index("</fieldset>")]
    marked = re.findall(
        r'<label for="id_title_(\w+)">[^<]*(?:<span class="meta">[^<]*</span>)?\s*'
        r'(<span class="badge warn">missing</span>)?',
        title_group,
    )
    assert marked == [
        ("en", ""),
        ("fr", '<span class="badge warn">missing</span>'),
        ("zh_hans", '<span class="badge warn">missing</span>'),
    ]
    assert 'lang="zh-hans"' in title_group


def test_a_session_without_a_title_in_any_language_is_refused(organiser_client, main_stage):
    response = post(
        organiser_client, EDITOR + "sessions/new/", session_form(main_stage, "", "2027-03-29T14:00", "2027-03-29T15:00")
    )
    assert response.status_code == 422
    assert "A session needs a title." in response.content.decode()
    assert not Session.objects.exists()


def test_a_title_written_only_in_french_is_enough_and_english_is_marked_missing(organiser_client, main_stage):
    post(
        organiser_client,
        EDITOR + "sessions/new/",
        session_form(main_stage, "", "2027-03-29T14:00", "2027-03-29T15:00", title_fr="Seulement en français"),
    )
    session = Session.objects.get(title_fr="Seulement en français")
    page = organiser_client.get(EDITOR + f"sessions/{session.pk}/").content.decode()
    assert re.search(
        r'<label for="id_title_en">English <span class="meta">\(main language\)</span> '
        r'<span class="badge warn">missing</span>',
        page,
    )


def test_a_room_needs_a_name(organiser_client, summit):
    response = post(
        organiser_client,
        EDITOR + "rooms/new/",
        {"name_en": "", "name_fr": "", "slug": "somewhere", "kind": "stage", "capacity": "", "position": "0"},
    )
    assert response.status_code == 422
    assert "Give it a name, at least in one language." in response.content.decode()
    assert not Room.objects.filter(summit=summit).exists()


def test_a_room_named_only_in_french_gets_its_address_from_that_name(organiser_client, summit):
    post(
        organiser_client,
        EDITOR + "rooms/new/",
        {"name_en": "", "name_fr": "Salle des pitchs", "slug": "", "kind": "pitch", "capacity": "", "position": "0"},
    )
    assert Room.objects.get(summit=summit).slug == "salle-des-pitchs"


def test_the_demo_organiser_opens_every_editor_page_with_shanghai_beside_paris(db):
    from django.contrib.auth import get_user_model

    from events.demo import seed_demo

    summit, _password = seed_demo(password="a demo password")
    client = signed_in(get_user_model().objects.get(username="organiser"))
    base = f"/summits/{summit.slug}/organiser/programme/"
    session, room, track = summit.sessions.first(), summit.rooms.first(), summit.tracks.first()
    speaker, company = summit.speakers.first(), summit.companies.first()
    for url in [
        base,
        base + "sessions/new/",
        base + f"sessions/{session.pk}/",
        base + "rooms/",
        base + f"rooms/{room.pk}/",
        base + "tracks/",
        base + f"tracks/{track.pk}/",
        base + "speakers/",
        base + f"speakers/{speaker.pk}/",
        base + "companies/",
        base + f"companies/{company.pk}/",
        base + f"run-sheet/{summit.starts_on.isoformat()}/",
    ]:
        assert client.get(url).status_code == 200, url
    assert 'data-other-zone="Asia/Shanghai"' in client.get(base + f"sessions/{session.pk}/").content.decode()
