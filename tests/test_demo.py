"""The demo summit that `make run` shows a newcomer, as the contract describes it."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from events.demo import PARIS, seed_demo
from events.i18n import LANGUAGE_CODES, column
from events.models import Company, Registration, Room, Session, Speaker, Summit, Track
from events.translation import (
    CompanyTranslation,
    RoomTranslation,
    SessionTranslation,
    SpeakerTranslation,
    SummitTranslation,
    TrackTranslation,
)
from judging.models import Criterion, Juror
from scheduler.demo import seed_scheduler_demo
from tests.conftest import csrf_headers, signed_in

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_roadshow_from_the_article(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo", stdout=io.StringIO())
    summit = Summit.objects.get(slug="sophia-qingdao-ai-ict-roadshow")
    assert summit.name == "Sophia Antipolis Innovation Roadshow on AI and ICT Digital"
    assert "Qingdao" in summit.organised_with
    assert (summit.ends_on - summit.starts_on).days >= 2
    rooms = dict(Room.objects.filter(summit=summit).exclude(kind=Room.Kind.MEETING).values_list("slug", "kind"))
    assert rooms == {
        "main-stage": "stage",
        "fair-vision": "pitch",
        "epicnpoc": "pitch",
        "finwedge": "pitch",
        "lounge": "lounge",
    }
    assert {c.name for c in summit.companies.all()} >= {"Fair Vision", "Epicnpoc", "Finwedge"}
    assert Session.objects.filter(summit=summit).count() >= 8
    assert summit.registrations.filter(role=Registration.Role.ATTENDEE).count() >= 3
    assert [(c.key, c.weight) for c in summit.criteria.order_by("position")] == [
        ("innovation", 30),
        ("team", 20),
        ("market", 30),
        ("fit", 20),
    ]
    assert summit.jurors.filter(user__username="organiser").exists() and summit.jurors.count() == 3
    assert (
        Client()
        .post(
            "/api/auth/login/",
            {"username": "organiser", "password": "demo-password-123"},
            content_type="application/json",
        )
        .status_code
        == 200
    )


def test_seed_demo_twice_changes_nothing(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=io.StringIO())
    counts = (
        Summit.objects.count(),
        Session.objects.count(),
        Room.objects.count(),
        Registration.objects.count(),
        Criterion.objects.count(),
        Juror.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Summit.objects.count(),
        Session.objects.count(),
        Room.objects.count(),
        Registration.objects.count(),
        Criterion.objects.count(),
        Juror.objects.count(),
    ) == counts


def test_seed_demo_prints_a_generated_password_once(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    assert "organiser /" in first.getvalue()
    assert "organiser /" not in second.getvalue()


def test_demo_sessions_fit_both_working_days():
    """Stage sessions sit inside 09:00–18:00 in Paris and before 21:00 in Qingdao."""
    summit, _password = seed_demo()
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    for session in Session.objects.filter(summit=summit, room__kind="stage"):
        assert 9 <= session.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).hour < 18
        assert session.ends_at.astimezone(shanghai).hour <= 21


def sign_in(password):
    return (
        Client()
        .post("/api/auth/login/", {"username": "organiser", "password": password}, content_type="application/json")
        .status_code
    )


def test_seeding_again_keeps_the_organisers_password_unless_asked(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "first-password-123")
    call_command("seed_demo", stdout=io.StringIO())
    monkeypatch.setenv("DEMO_PASSWORD", "second-password-456")
    call_command("seed_demo", stdout=io.StringIO())
    assert sign_in("first-password-123") == 200
    assert sign_in("second-password-456") == 401
    call_command("seed_demo", "--reset-password", stdout=io.StringIO())
    assert sign_in("second-password-456") == 200


def test_reset_password_without_demo_password_prints_a_new_one(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--reset-password", stdout=out)
    password = out.getvalue().split("organiser / ", 1)[1].split()[0]
    assert sign_in(password) == 200


def test_seeding_again_survives_an_organiser_reusing_and_renaming_demo_titles(monkeypatch):
    """Demo records are found by slug: a session with a demo title, or a renamed one, breaks nothing."""
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=io.StringIO())
    summit = Summit.objects.get(slug="sophia-qingdao-ai-ict-roadshow")
    organiser = signed_in(summit.registrations.get(role="organiser").user)
    opening = Session.objects.get(summit=summit, slug="opening")
    response = organiser.post(
        f"/api/summits/{summit.slug}/sessions/",
        {
            "title": opening.title_en,
            "room": "lounge",
            "starts_at": "2030-01-07T20:00:00+01:00",
            "ends_at": "2030-01-07T21:00:00+01:00",
        },
        content_type="application/json",
        headers=csrf_headers(organiser),
    )
    assert response.status_code == 201, response.content
    Session.objects.filter(pk=opening.pk).update(title_en="Opening, renamed by the organiser")
    counts = (Session.objects.count(), Room.objects.count(), Speaker.objects.count(), Track.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Session.objects.count(), Room.objects.count(), Speaker.objects.count(), Track.objects.count()) == counts
    assert Session.objects.get(pk=opening.pk).title_en == "Opening, renamed by the organiser"


def overlaps(summit):
    """Pairs of live sessions sharing a room at the same time: what the API refuses."""
    sessions = list(Session.objects.filter(summit=summit).exclude(status="cancelled").order_by("room", "starts_at"))
    return [
        (a.slug, b.slug)
        for a, b in zip(sessions, sessions[1:], strict=False)
        if a.room_id == b.room_id and b.starts_at < a.ends_at
    ]


@pytest.mark.parametrize("hhmm", ["09:10", "10:05", "03:00"])
def test_demo_sessions_never_overlap_in_a_room_whenever_it_is_seeded(hhmm):
    """The live demo session starts 16 minutes after seeding; at 09:10 the main stage is taken then."""
    summit, _password = seed_demo(password="demo-password-1")
    hour, minute = map(int, hhmm.split(":"))
    now = dt.datetime.combine(summit.starts_on, dt.time(hour, minute), tzinfo=PARIS)
    seed_scheduler_demo(summit, now=now)
    seed_scheduler_demo(summit, now=now + dt.timedelta(hours=1))
    assert Session.objects.filter(summit=summit, slug="live-demo-reminder").exists()
    assert overlaps(summit) == []


REGISTERED = [
    (Summit, SummitTranslation),
    (Track, TrackTranslation),
    (Room, RoomTranslation),
    (Company, CompanyTranslation),
    (Speaker, SpeakerTranslation),
    (Session, SessionTranslation),
]


def test_the_demo_is_written_in_every_language():
    summit, _password = seed_demo(password="demo-password-1")
    seed_scheduler_demo(summit)
    half_translated = []
    checked = 0
    for model, options in REGISTERED:
        rows = model.objects.filter(pk=summit.pk) if model is Summit else model.objects.filter(summit=summit)
        for row in rows.exclude(**({"kind": Room.Kind.MEETING} if model is Room else {})):
            for field in options.fields:
                texts = {code: getattr(row, column(field, code)) or "" for code in LANGUAGE_CODES}
                checked += 1
                if any(texts.values()) and not all(texts.values()):
                    half_translated.append((model.__name__, row.pk, field, texts))
    assert checked > 50
    assert half_translated == []


def test_the_demo_schedule_reads_in_chinese_and_french():
    summit, _password = seed_demo(password="demo-password-1")
    client = Client()
    chinese = client.get(f"/summits/{summit.slug}/schedule/", headers={"Accept-Language": "zh-hans"})
    page = chinese.content.decode()
    assert "开幕式：索菲亚科技园对话青岛高新区" in page
    assert "主会场" in page
    assert "Opening: Sophia Antipolis" not in page
    french = client.get(f"/api/summits/{summit.slug}/", {"lang": "fr"}).json()
    assert french["name"] == "Roadshow de l’innovation de Sophia Antipolis sur l’IA et le numérique"
    with translation.override("en"):
        assert Summit.objects.get(pk=summit.pk).name == "Sophia Antipolis Innovation Roadshow on AI and ICT Digital"
    assert summit.language == "en"
