"""Every page in the reader's language: editor labels, dates, French typography, names rather than slugs.

The catalogue tests (test_i18n.py) prove each msgid has a translation; these prove the strings
people see go through the catalogue and the per-language date formats at all.
"""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from events.models import Profile
from programme import forms as editor_forms
from stage.models import Recording
from tests.conftest import csrf_headers, make_session, signed_in
from tests.test_i18n import read_po

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
THURSDAY = dt.datetime(2026, 12, 3, 16, 44)
READERS = ["fr", "zh-hans"]


# --- Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, day, day_time",
    [
        ("en", "Thu 3 Dec", "Thu 3 Dec, 16:44"),
        ("fr", "jeu. 3 déc.", "jeu. 3 déc. 16:44"),
        ("zh-hans", "12月3日 星期四", "12月3日 星期四 16:44"),
    ],
)
def test_the_compact_day_reads_naturally_in_each_language(language, day, day_time):
    with translation.override(language):
        assert formats.date_format(THURSDAY, "DAY_FORMAT") == day
        assert formats.date_format(THURSDAY, "DAY_TIME_FORMAT") == day_time


def test_a_french_date_names_its_day_in_lower_case_as_french_writes_it_mid_sentence():
    """ "À suivre : …, samedi 5 décembre": our catalogue once gave "Samedi" for a form's label, and dates used it."""
    with translation.override("fr"):
        assert formats.date_format(THURSDAY, "SHORT_DATETIME_FORMAT") == "jeudi 3 décembre, 16:44"


def test_the_office_days_of_a_partner_profile_are_labelled_with_a_capital_in_french(attendee_paris, summit):
    """The same day names, capitalised where they stand alone as checkbox labels."""
    Profile.objects.filter(user=attendee_paris).update(language="fr")
    page = signed_in(attendee_paris).get(reverse("partnering-me", args=[summit.slug]))
    assert page.status_code == 200
    assert "> Samedi</label>" in page.text and "> samedi</label>" not in page.text


def test_no_template_or_module_spells_a_date_pattern_that_reads_backwards_in_chinese():
    """ "D j M" gives "星期四 3 十二月" on a Chinese page: code names a format of summit/formats instead."""
    spelled = re.compile(r"""date(?:_format)?[:(][^"']*["'](?:[DlNMjFnY][ .,]*){2,}[^"']*["']""")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for folder in ("templates", "events", "livechat", "scheduler", "partnering", "programme", "stage", "judging")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".html", ".txt", ".py")
        for match in spelled.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_notifications_show_their_date_the_chinese_way(summit, attendee_shanghai):
    from scheduler.models import Notification

    notice = Notification.objects.create(user=attendee_shanghai, kind="meeting", title="Soon")
    attendee_shanghai.profile.language = "zh-hans"
    attendee_shanghai.profile.save()
    with translation.override("zh-hans"):
        expected = formats.date_format(notice.created_at.astimezone(SHANGHAI), "DAY_TIME_FORMAT")
    page = signed_in(attendee_shanghai).get("/me/notifications/")
    text = page.content.decode()
    assert expected in text and re.search(r"\d+月\d+日 星期. \d\d:\d\d", text)


# --- French typography ------------------------------------------------------------------------


def test_french_puts_a_narrow_no_break_space_before_colon_semicolon_and_marks():
    """French typography: "Quand :" with U+202F, never a plain or a wide no-break space, never none."""
    wrong = []
    for entry in read_po(ROOT / "locale/fr/LC_MESSAGES/django.po"):
        if not entry["msgid"]:
            continue  # the header
        for text in entry["msgstr"]:
            # A colon between digits or in an address ("09:00", "https://") is not punctuation.
            if re.search(r"[ \u00a0][:;!?]|[^\s\u202f\d/:][:;!?](?!//)", text):
                wrong.append(text)
    assert wrong == []


# --- The editor's labels ----------------------------------------------------------------------


EDITOR_FORMS = [
    editor_forms.SessionForm,
    editor_forms.RoomForm,
    editor_forms.TrackForm,
    editor_forms.ThemesForm,
    editor_forms.SpeakerForm,
    editor_forms.CompanyForm,
]


@pytest.mark.parametrize("language", READERS)
@pytest.mark.parametrize("form_class", EDITOR_FORMS, ids=lambda form: form.__name__)
def test_every_label_and_help_text_of_the_editor_is_in_the_organisers_language(summit, form_class, language):
    """Kind, Capacity, Company, Position, Is private... once showed in English on French pages."""
    rooms = summit.rooms.all()
    form = form_class(summit, rooms) if form_class is editor_forms.SessionForm else form_class(summit)
    english = {}
    with translation.override("en"):
        for name, field in form.fields.items():
            english[name] = (str(field.label or ""), str(field.help_text or ""))
    # "Organisation" is French too: a label may read the same when the catalogue says so.
    catalogue = {e["msgid"] for e in read_po(ROOT / f"locale/{translation.to_locale(language)}/LC_MESSAGES/django.po")}
    untranslated = []
    with translation.override(language):
        for name, field in form.fields.items():
            if field.widget.attrs.get("lang") or field.widget.is_hidden:
                continue  # a language's own box is labelled with that language's own name; hidden ones show none
            label, help_text = str(field.label or ""), str(field.help_text or "")
            for shown, source in ((label, english[name][0]), (help_text, english[name][1])):
                if source and shown == source and source not in catalogue:
                    untranslated.append(f"{name}: {shown}")
            assert label, f"{name} has no label of ours: Django would show its field name"
    assert untranslated == []


@pytest.mark.parametrize("language, expected", [("fr", "Type de salle"), ("zh-hans", "会场类型")])
def test_the_room_editor_page_says_kind_of_room_in_the_organisers_language(summit, organiser, language, expected):
    organiser.profile.language = language
    organiser.profile.save()
    page = signed_in(organiser).get(f"/summits/{summit.slug}/organiser/programme/rooms/new/")
    text = page.content.decode()
    assert page.status_code == 200 and expected in text
    assert ">Kind<" not in text and "Is private" not in text and "Is moderated" not in text


# --- Names, not slugs; replays by language ----------------------------------------------------


def test_the_introductions_page_names_the_company_not_its_slug(summit, fair_vision, fair_vision_member, attendee_paris):
    camille, member = signed_in(attendee_paris), signed_in(fair_vision_member)
    camille.post(
        "/api/summits/roadshow/companies/fair-vision/interest/",
        content_type="application/json",
        headers=csrf_headers(camille),
    )
    from partnering import services

    card = services.my_profile(attendee_paris, summit)
    member.post(
        f"/api/summits/roadshow/companies/fair-vision/interests/{card.pk}/accept/",
        content_type="application/json",
        headers=csrf_headers(member),
    )
    text = member.get(reverse("partnering-introductions", args=[summit.slug])).content.decode()
    assert "for Fair Vision" in text and "for fair-vision" not in text


def test_two_replays_of_one_session_say_their_language(summit, main_stage, client):
    from django.utils import timezone

    over = make_session(summit, main_stage, "Yesterday's keynote", timezone.now() - dt.timedelta(days=1), 60)
    for language in ("original", "zh-hans"):
        Recording.objects.create(
            room=main_stage,
            session=over,
            language=language,
            public_name=f"main-stage-{language}",
            started_at=over.starts_at,
            status=Recording.Status.READY,
        )
    page = client.get(reverse("session-detail", args=[summit.slug, over.pk]), headers={"accept-language": "fr"})
    text = page.content.decode()
    assert "Voir la rediffusion (Original)" in text
    assert "Voir la rediffusion (Chinois simplifié)" in text


def test_every_language_defines_the_platforms_own_date_formats():
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name in ("DAY_FORMAT", "DAY_TIME_FORMAT"):
                assert formats.get_format(name) != name, f"{code} lacks {name}"


# --- Themes: content in three languages, kept by key ------------------------------------------


def themes_form(rows):
    data = {}
    for row, (key, names) in enumerate(rows):
        data[f"key_{row}"] = key
        for code, text in names.items():
            data[f"theme_{row}_{code.replace('-', '_')}"] = text
    return data


def test_a_renamed_theme_keeps_its_key_so_profiles_that_picked_it_keep_it(organiser, summit, attendee_paris):
    from partnering import services

    card = services.my_profile(attendee_paris, summit)
    services.do_update_profile(attendee_paris, card, services.ProfileChange(themes=["Medical devices"]))
    client = signed_in(organiser)
    rows = [
        ("AI/ICT", {"en": "AI/ICT", "fr": "IA et numérique", "zh-hans": "人工智能"}),
        ("Medical devices", {"en": "Medical technology", "fr": "Dispositifs médicaux", "zh-hans": "医疗器械"}),
        ("", {"fr": "Robotique"}),
    ]
    answer = client.post(
        f"/summits/{summit.slug}/organiser/programme/tracks/", themes_form(rows), headers=csrf_headers(client)
    )
    assert answer.status_code == 302
    summit.refresh_from_db()
    card.refresh_from_db()
    assert summit.themes == ["AI/ICT", "Medical devices", "robotique"]
    assert summit.theme_names["Medical devices"]["en"] == "Medical technology"
    assert card.themes == ["Medical devices"]


def test_themes_read_in_the_readers_language_on_pages_and_in_the_api(summit, fair_vision, client, attendee_paris):
    from partnering import services

    summit.theme_names = {"AI/ICT": {"en": "AI/ICT", "fr": "IA et numérique", "zh-hans": "人工智能与信息通信"}}
    summit.save()
    fair_vision.themes = ["AI/ICT"]
    fair_vision.save()
    home = client.get(f"/summits/{summit.slug}/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "人工智能与信息通信" in home
    company = client.get(f"/summits/{summit.slug}/companies/fair-vision/", headers={"accept-language": "fr"})
    assert "IA et numérique" in company.content.decode()
    assert client.get(f"/api/summits/{summit.slug}/?lang=fr").json()["themes"] == ["IA et numérique", "Medical devices"]
    # What the API answers in one language it takes back, in that language or any other: themes match by key.
    card = services.my_profile(attendee_paris, summit)
    services.do_update_profile(attendee_paris, card, services.ProfileChange(themes=["人工智能与信息通信"]))
    card.refresh_from_db()
    assert card.themes == ["AI/ICT"]
    mine = signed_in(attendee_paris).get(f"/api/summits/{summit.slug}/partners/me/?lang=fr").json()
    assert mine["themes"] == ["IA et numérique"]


def test_a_theme_written_before_themes_had_languages_keeps_its_text_as_the_main_language():
    import importlib

    migration = importlib.import_module("events.migrations.0007_summit_theme_names")

    class Summit:
        objects = None

        def __init__(self):
            self.language, self.themes, self.saved = "fr", ["Robotique"], None

        def save(self, update_fields):
            self.saved = update_fields

    old = Summit()

    class Apps:
        def get_model(self, app, name):
            return type("Model", (), {"objects": type("M", (), {"all": staticmethod(lambda: [old])})})

    migration.keep_existing_themes_as_the_main_language(Apps(), None)
    assert old.theme_names == {"Robotique": {"fr": "Robotique"}} and old.saved == ["theme_names"]
