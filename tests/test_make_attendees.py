"""make_attendees: registered, signed-in attendees in bulk, for load tests only."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from events.models import Profile, Registration


def make(summit, count, out, *args):
    call_command("make_attendees", summit.slug, str(count), "--out", str(out), *args)
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture
def out(tmp_path):
    return tmp_path / "attendees.jsonl"


def test_makes_count_registered_attendees_one_json_line_each(summit, out, settings):
    settings.DEBUG = True
    attendees = make(summit, 25, out)
    assert len(attendees) == 25
    assert set(attendees[0]) == {"id", "email", "sessionid"}
    ids = [a["id"] for a in attendees]
    assert len(set(ids)) == 25
    assert Registration.objects.filter(summit=summit, user_id__in=ids, role="attendee").count() == 25
    assert Profile.objects.filter(user_id__in=ids).count() == 25


def test_sessionid_signs_the_attendee_in_over_http(summit, out, settings):
    settings.DEBUG = True
    attendee = make(summit, 2, out)[1]
    client = Client()
    client.cookies["sessionid"] = attendee["sessionid"]
    response = client.get(f"/summits/{summit.slug}/")
    assert response.wsgi_request.user.pk == attendee["id"]
    assert response.wsgi_request.user.email == attendee["email"]


def test_attendees_cannot_sign_in_with_a_password(summit, out, settings):
    settings.DEBUG = True
    attendee = make(summit, 1, out)[0]
    assert not get_user_model().objects.get(pk=attendee["id"]).has_usable_password()


def test_refuses_when_debug_is_off_without_force(summit, out, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        make(summit, 3, out)
    assert not Registration.objects.filter(summit=summit).exists()
    assert not out.exists()


def test_force_runs_with_debug_off(summit, out, settings):
    settings.DEBUG = False
    assert len(make(summit, 3, out, "--force")) == 3


def test_unknown_summit_is_a_command_error(db, out, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="nowhere"):
        call_command("make_attendees", "nowhere", "3", "--out", str(out))


def test_count_out_of_range_is_a_command_error(summit, out, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="COUNT"):
        make(summit, 0, out)
