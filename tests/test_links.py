"""Links that open: in mails, in the console `make run` prints them to, and the icon browsers ask for."""

import io
import os
import subprocess
from pathlib import Path

import pytest
from django.core import mail

from events.services import do_request_signin_link
from summit.mail import ReadableConsoleBackend

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_favicon_is_served_by_the_platform(anonymous_client):
    response = anonymous_client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.parametrize("language", ["en", "fr", "zh-hans"])
def test_the_signin_mail_in_the_console_shows_its_link_on_one_line(
    attendee_paris, settings, language, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:9123"
    profile = attendee_paris.profile
    profile.language = language
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves from a task, after commit
        do_request_signin_link(attendee_paris)
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if word.startswith("http://127.0.0.1:9123/signin/"))
    console = io.StringIO()
    ReadableConsoleBackend(stream=console).send_messages([message])
    assert link in console.getvalue().splitlines()
    assert message.subject in console.getvalue()  # readable, not =?utf-8?b?...?=


def test_make_run_derives_site_url_from_port():
    env = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "MAKEFLAGS", "MFLAGS")}
    recipe = subprocess.run(
        ["make", "-n", "run", "PORT=9123"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    (line,) = [line for line in recipe.splitlines() if "scripts/run" in line]
    shown = subprocess.run(
        ["bash", "-c", line.replace("scripts/run", 'bash -c "echo \\$SITE_URL"')],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown == "http://127.0.0.1:9123"
    kept = subprocess.run(
        ["bash", "-c", line.replace("scripts/run", 'bash -c "echo \\$SITE_URL"')],
        env={**env, "SITE_URL": "https://summit.example.org"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert kept == "https://summit.example.org"
