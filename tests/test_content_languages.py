"""What people write (titles, abstracts, names, bios) is read in the reader's language.

The API takes a translated field as a string (the summit's main language) or as
{language code: text}, answers with a string in the reader's language (`?lang=`,
else the signed-in person's language, else Accept-Language, else the main
language) and with every language under `<field>_i18n`.
"""

import datetime as dt

import pytest
from django.core import mail

from events.models import Bookmark, Session
from scheduler import services as scheduler
from tests.conftest import csrf_headers, signed_in
from tests.live import join, orm

pytestmark = pytest.mark.django_db

NEW_SESSION = {
    "room": "main-stage",
    "starts_at": "2027-03-29T10:00:00+02:00",
    "ends_at": "2027-03-29T11:00:00+02:00",
}
TITLES = {"en": "Medical devices panel", "fr": "Table ronde dispositifs médicaux", "zh-hans": "医疗器械圆桌"}


def post_session(client, payload, **query):
    url = "/api/summits/roadshow/sessions/"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, payload, content_type="application/json", headers=csrf_headers(client))


def schedule(client, **params):
    headers = params.pop("headers", {})
    return client.get("/api/summits/roadshow/schedule/", params, headers=headers)


def test_a_string_is_written_in_the_summits_main_language(organiser_client, summit, main_stage):
    summit.language = "fr"
    summit.save()
    response = post_session(organiser_client, {**NEW_SESSION, "title": "Table ronde"})
    assert response.status_code == 201, response.content
    session = Session.objects.get()
    assert (session.title_fr, session.title_en, session.title_zh_hans) == ("Table ronde", None, None)
    assert response.json()["title_i18n"] == {"en": "", "fr": "Table ronde", "zh-hans": ""}


def test_an_object_writes_each_language_and_each_reader_gets_theirs(organiser_client, anonymous_client, main_stage):
    response = post_session(
        organiser_client,
        {**NEW_SESSION, "title": TITLES, "description": {"fr": "Avec Qingdao.", "zh-hans": "与青岛合作。"}},
    )
    assert response.status_code == 201, response.content
    for lang, title in TITLES.items():
        (session,) = schedule(anonymous_client, lang=lang).json()["sessions"]
        assert session["title"] == title
        assert session["title_i18n"] == TITLES
    assert schedule(anonymous_client, lang="zh-hans").json()["sessions"][0]["description"] == "与青岛合作。"


def test_a_missing_translation_falls_back_to_the_main_language_not_the_first_one(
    organiser_client, anonymous_client, summit, main_stage
):
    summit.language = "fr"
    summit.save()
    post_session(organiser_client, {**NEW_SESSION, "title": {"en": "Opening", "fr": "Ouverture"}})
    body = schedule(anonymous_client, lang="zh-hans").json()
    assert body["language"] == "zh-hans"
    assert body["sessions"][0]["title"] == "Ouverture"
    assert body["sessions"][0]["title_i18n"]["zh-hans"] == ""


def test_the_readers_language_is_lang_then_saved_then_accept_language_then_main(
    anonymous_client, summit, attendee_shanghai, keynote
):
    keynote.title_fr, keynote.title_zh_hans = "Conférence d’ouverture", "开幕主旨演讲"
    keynote.save()
    summit.language = "fr"
    summit.save()
    assert schedule(anonymous_client).json()["sessions"][0]["title"] == "Conférence d’ouverture"
    by_header = schedule(anonymous_client, headers={"Accept-Language": "en-GB,en;q=0.8"}).json()
    assert by_header["sessions"][0]["title"] == "Opening keynote"
    shanghai = signed_in(attendee_shanghai)
    saved = schedule(shanghai, headers={"Accept-Language": "en"}).json()
    assert saved["sessions"][0]["title"] == "开幕主旨演讲"
    assert schedule(shanghai, lang="en").json()["sessions"][0]["title"] == "Opening keynote"


def test_rooms_tracks_companies_and_speakers_are_translated_too(anonymous_client, pitch, speaker, track):
    pitch.track = track
    pitch.save()
    pitch.speakers.add(speaker)
    pitch.room.name_zh_hans = "Fair Vision 路演厅"
    pitch.room.save()
    track.name_zh_hans = "人工智能与大数据"
    track.save()
    speaker.bio_en, speaker.bio_zh_hans = "Founder of Fair Vision.", "Fair Vision 创始人。"
    speaker.save()
    (session,) = schedule(anonymous_client, lang="zh-hans").json()["sessions"]
    assert session["room_name"] == "Fair Vision 路演厅"
    assert session["room_name_i18n"]["en"] == "Fair Vision pitch room"
    assert session["track_name"] == "人工智能与大数据"
    assert session["company_name"] == "Fair Vision"
    assert session["speakers"][0]["bio"] == "Fair Vision 创始人。"
    assert session["speakers"][0]["bio_i18n"]["en"] == "Founder of Fair Vision."


def test_summit_texts_come_in_the_readers_language(anonymous_client, summit):
    summit.name_zh_hans = "创新路演"
    summit.save()
    body = anonymous_client.get("/api/summits/roadshow/", {"lang": "zh-hans"}).json()
    assert body["name"] == "创新路演"
    assert body["name_i18n"] == {"en": "Innovation Roadshow", "fr": "", "zh-hans": "创新路演"}
    assert body["language"] == "en"
    listing = anonymous_client.get("/api/summits/", {"lang": "zh-hans"}).json()
    assert listing[0]["name"] == "创新路演"


def test_patch_with_an_object_changes_only_the_languages_given(organiser_client, keynote):
    keynote.title_fr = "Conférence d’ouverture"
    keynote.save()
    response = organiser_client.patch(
        f"/api/sessions/{keynote.pk}/",
        {"title": {"zh-hans": "开幕主旨演讲"}},
        content_type="application/json",
        headers=csrf_headers(organiser_client),
    )
    assert response.status_code == 200, response.content
    assert response.json()["title_i18n"] == {
        "en": "Opening keynote",
        "fr": "Conférence d’ouverture",
        "zh-hans": "开幕主旨演讲",
    }


@pytest.mark.parametrize("title", [{"de": "Eröffnung"}, {"en": "Opening", "zh": "开幕"}, {"EN": "Opening"}])
def test_an_unknown_language_code_is_422_and_names_it(organiser_client, main_stage, title):
    response = post_session(organiser_client, {**NEW_SESSION, "title": title})
    assert response.status_code == 422
    unknown = next(code for code in title if code not in ("en", "fr", "zh-hans"))
    assert unknown in response.json()["detail"]
    assert not Session.objects.exists()


@pytest.mark.parametrize("title", [{}, {"en": "  "}, {"fr": "x" * 201}, {"en": 7}, ["Opening"]])
def test_an_empty_overlong_or_malformed_translated_title_is_422(organiser_client, main_stage, title):
    response = post_session(organiser_client, {**NEW_SESSION, "title": title})
    assert response.status_code == 422
    assert "detail" in response.json()
    assert not Session.objects.exists()


def test_an_unknown_lang_parameter_is_422(anonymous_client, summit):
    response = schedule(anonymous_client, lang="klingon")
    assert response.status_code == 422
    assert "klingon" in response.json()["detail"]


# --- reminders and reports: the recipient's or reader's language -------------------------------


def test_a_reminder_is_written_in_the_recipients_language(
    keynote, attendee_shanghai, attendee_paris, django_capture_on_commit_callbacks
):
    keynote.title_zh_hans = "开幕主旨演讲"
    keynote.save()
    keynote.room.name_zh_hans = "主会场"
    keynote.room.save()
    for person in (attendee_shanghai, attendee_paris):
        Bookmark.objects.create(user=person, session=keynote)
    now = keynote.starts_at - dt.timedelta(minutes=15)
    with django_capture_on_commit_callbacks(execute=False):
        ids = scheduler.do_dispatch_due_reminders(now=now)
    assert {scheduler.do_send_reminder(i, now=now) for i in ids} == {"sent"}
    mails = {m.to[0]: m for m in mail.outbox}
    chinese = mails[attendee_shanghai.email]
    assert "开幕主旨演讲" in chinese.subject and "主会场" in chinese.body
    # Camille reads French; nobody wrote the title in French: the summit's main language (English) stands in.
    assert "Opening keynote" in mails[attendee_paris.email].subject


def test_the_attendance_report_is_in_the_readers_language(summit, keynote, organiser):
    keynote.title_fr = "Conférence d’ouverture"
    keynote.save()
    organiser.profile.language = "fr"
    organiser.profile.save()
    client = signed_in(organiser)
    page = client.get("/summits/roadshow/reports/attendance/").content.decode()
    assert "Conférence d’ouverture" in page
    csv = client.get("/api/summits/roadshow/reports/attendance.csv", {"lang": "en"}).content.decode()
    assert "Opening keynote" in csv and "Conférence" not in csv


def test_pages_fall_back_to_the_summits_main_language(anonymous_client, summit, keynote):
    summit.language = "fr"
    summit.save()
    keynote.title_fr = "Conférence d’ouverture"  # English and French written, Chinese not
    keynote.save()
    page = anonymous_client.get("/summits/roadshow/schedule/", headers={"Accept-Language": "zh-hans"})
    assert "Conférence d’ouverture" in page.content.decode()
    assert "Opening keynote" not in page.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_a_room_socket_names_the_room_and_session_in_the_persons_language(
    live_keynote, attendee_shanghai, cookies
):
    await orm(Session.objects.filter(pk=live_keynote.pk).update, title_zh_hans="开幕主旨演讲")
    await orm(type(live_keynote.room).objects.filter(pk=live_keynote.room_id).update, name_zh_hans="主会场")
    socket, state = await join(await cookies(attendee_shanghai))
    assert state["room"]["name"] == "主会场"
    assert state["room"]["session"]["title"] == "开幕主旨演讲"
    await socket.disconnect()
