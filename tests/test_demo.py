"""The demo summit that `make run` shows a newcomer, as the contract describes it."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from events.models import Registration, Room, Session, Summit
from judging.models import Criterion, Juror

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_roadshow_from_the_article(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo", stdout=io.StringIO())
    summit = Summit.objects.get(slug="sophia-qingdao-ai-ict-roadshow")
    assert summit.name == "Sophia Antipolis Innovation Roadshow on AI and ICT Digital"
    assert "Qingdao" in summit.organised_with
    assert (summit.ends_on - summit.starts_on).days >= 2
    rooms = dict(Room.objects.filter(summit=summit).exclude(kind=Room.Kind.MEETING).values_list("slug", "kind"))
    assert rooms == {"main-stage": "stage", "fair-vision": "pitch", "epicnpoc": "pitch", "finwedge": "pitch",
                     "lounge": "lounge"}
    assert {c.name for c in summit.companies.all()} >= {"Fair Vision", "Epicnpoc", "Finwedge"}
    assert Session.objects.filter(summit=summit).count() >= 8
    assert summit.registrations.filter(role=Registration.Role.ATTENDEE).count() >= 3
    assert [(c.key, c.weight) for c in summit.criteria.order_by("position")] == [
        ("innovation", 30), ("team", 20), ("market", 30), ("fit", 20)]
    assert summit.jurors.filter(user__username="organiser").exists() and summit.jurors.count() == 3
    assert Client().post("/api/auth/login/", {"username": "organiser", "password": "demo-password-123"},
                         content_type="application/json").status_code == 200


def test_seed_demo_twice_changes_nothing(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Summit.objects.count(), Session.objects.count(), Room.objects.count(), Registration.objects.count(),
              Criterion.objects.count(), Juror.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Summit.objects.count(), Session.objects.count(), Room.objects.count(),
            Registration.objects.count(), Criterion.objects.count(), Juror.objects.count()) == counts


def test_seed_demo_prints_a_generated_password_once(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    assert "organiser /" in first.getvalue()
    assert "organiser /" not in second.getvalue()


def test_demo_sessions_fit_both_working_days():
    """Stage sessions sit inside 09:00–18:00 in Paris and before 21:00 in Qingdao."""
    import zoneinfo

    from events.demo import seed_demo

    summit, _password = seed_demo()
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    for session in Session.objects.filter(summit=summit, room__kind="stage"):
        assert 9 <= session.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).hour < 18
        assert session.ends_at.astimezone(shanghai).hour <= 21
