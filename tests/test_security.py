"""What an outsider can observe about the platform's defences."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def test_pages_send_protective_headers(summit):
    response = Client().get("/summits/roadshow/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "frame-src 'self' https://www.youtube-nocookie.com" in csp


def test_pages_load_nothing_from_another_host(summit, keynote):
    content = Client().get("/summits/roadshow/schedule/").content.decode()
    for marker in ('src="http', 'src="//', 'href="http', 'href="//'):
        assert marker not in content


def test_oversized_json_body_is_413_not_500(organiser_client, main_stage):
    from tests.conftest import csrf_headers

    body = '{"title": "' + "x" * (300 * 1024) + '"}'
    response = organiser_client.post(
        "/api/summits/roadshow/sessions/", body, content_type="application/json", headers=csrf_headers(organiser_client)
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "Request body too large."


def test_oversized_form_body_is_a_4xx(summit):
    response = Client().post("/summits/roadshow/register/", {"name": "x" * (300 * 1024)})
    assert 400 <= response.status_code < 500


def run_check_deploy(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if k not in ("HTTPS", "DEBUG", "SECRET_KEY")}, **env},
    )


def test_check_deploy_is_clean_in_production_configuration(tmp_path):
    result = run_check_deploy(
        DEBUG="0",
        SECRET_KEY="x" * 20 + "-production-secret-key-9f8e7d6c5b4a",
        ALLOWED_HOSTS="summit.example.org",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_malformed_boolean_setting_stops_start_up(tmp_path):
    result = run_check_deploy(DEBUG="maybe", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("value", ["49160", "49200-49160", "80-90", "a-b"])
def test_a_turn_relay_range_that_is_not_a_range_of_high_ports_stops_start_up(tmp_path, value):
    result = run_check_deploy(DEBUG="1", VAR_DIR=str(tmp_path), TURN_RELAY_PORTS=value)
    assert result.returncode != 0
    assert "TURN_RELAY_PORTS must be a port range" in result.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = run_check_deploy(DEBUG="0", ALLOWED_HOSTS="summit.example.org", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_debug_run_without_secret_key_keeps_one_generated_key(tmp_path):
    result = run_check_deploy(DEBUG="1", VAR_DIR=str(tmp_path))
    assert "SECRET_KEY is not set" not in result.stderr
    assert len((tmp_path / "secret_key").read_text().strip()) >= 50


@pytest.mark.parametrize("value", ["yes", "-1"])
def test_behind_proxy_must_be_a_count_of_proxies(tmp_path, value):
    result = run_check_deploy(DEBUG="1", VAR_DIR=str(tmp_path), BEHIND_PROXY=value)
    assert result.returncode != 0
    assert "BEHIND_PROXY must be" in result.stderr
