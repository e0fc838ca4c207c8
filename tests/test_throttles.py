"""Throttles key on the real client and on the account or address named, on every way of signing in.

The client is the address the trusted proxies saw: with BEHIND_PROXY=0 (NINJA_NUM_PROXIES=0) a
client's own X-Forwarded-For counts for nothing; with one proxy only the hop it appended counts.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, override_settings

from events.models import Profile
from tests.conftest import make_person, services_required
from tests.servers import free_port, shared_database_url, start_daphne, stop

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"name": "Li Na", "email": "li.na@example.cn", "timezone": "Asia/Shanghai", "language": "zh-hans"}


def api_login(username, password, *, client=None, address="127.0.0.1", forwarded=None):
    client = client or Client()
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/api/auth/login/",
        {"username": username, "password": password},
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=address,
    )


def page_login(username, password, address="127.0.0.1"):
    return Client().post("/signin/", {"username": username, "password": password}, REMOTE_ADDR=address)


def admin_login(username, password, address="127.0.0.1"):
    return Client().post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def register(payload, address="127.0.0.1", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return Client().post(
        "/api/summits/roadshow/registrations/",
        payload,
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=address,
    )


def test_repeated_failed_logins_are_throttled_with_retry_after(organiser):
    statuses = [api_login("organiser", f"guess{n}").status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]
    response = api_login("organiser", "guess")
    assert response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_new_forwarded_for_header_each_time_gets_no_new_allowance(organiser):
    statuses = [api_login("organiser", f"guess{n}", forwarded=f"198.51.100.{n}").status_code for n in range(15)]
    assert statuses[10:] == [429] * 5


def test_a_throttled_client_cannot_sign_in_with_a_new_header(organiser):
    for n in range(10):
        api_login("organiser", f"guess{n}")
    response = api_login("organiser", "correct horse battery", forwarded="203.0.113.99")
    assert response.status_code == 429
    assert "sessionid" not in response.cookies


@override_settings(NINJA_NUM_PROXIES=1)
def test_behind_one_proxy_only_the_hop_it_appended_counts(organiser):
    # The client wrote the first entries itself; the proxy appended the address it saw.
    statuses = [
        api_login("organiser", f"guess{n}", address="10.0.0.2", forwarded=f"198.51.100.{n}, 203.0.113.7").status_code
        for n in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    other_client = api_login("someone-else", "guess", address="10.0.0.2", forwarded="203.0.113.8")
    assert other_client.status_code == 401


def test_one_account_attacked_from_many_clients_is_throttled(organiser):
    statuses = [api_login("Organiser", f"guess{n}", address=f"192.0.2.{n}").status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]
    assert api_login("someone-else", "guess", address="192.0.2.200").status_code == 401


def test_an_account_named_in_another_case_or_with_spaces_counts_against_the_same_limit(organiser):
    names = ["organiser", "Organiser", "ORGANISER", " organiser ", "OrGaNiSeR"]
    statuses = [api_login(names[n % 5], f"guess{n}", address=f"192.0.2.{n}").status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]


@override_settings(THROTTLE_REGISTRATION="3/h")
def test_an_address_registered_in_another_case_counts_against_the_same_limit(summit):
    emails = ["li.na@example.cn", "Li.Na@Example.cn", "LI.NA@EXAMPLE.CN", " Li.na@example.CN "]
    statuses = [register({**GOOD, "email": e}, address=f"192.0.2.{n}").status_code for n, e in enumerate(emails)]
    assert statuses == [201, 202, 202, 429]


def test_admin_login_is_throttled(organiser):
    statuses = [admin_login("organiser", f"guess{n}", address=f"192.0.2.{n}").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10  # the admin's form shown again with its error
    assert statuses[10] == 429


def test_api_page_and_admin_share_one_limit(organiser):
    for n in range(4):
        assert api_login("organiser", f"guess{n}").status_code == 401
    for n in range(3):
        assert page_login("organiser", f"page{n}").status_code == 200
    for n in range(3):
        assert admin_login("organiser", f"admin{n}").status_code == 200
    assert page_login("organiser", "correct horse battery").status_code == 429
    assert admin_login("organiser", "correct horse battery").status_code == 429


@override_settings(THROTTLE_REGISTRATION="3/h")
def test_mass_registration_from_one_client_is_throttled(summit):
    for n in range(3):
        assert register({**GOOD, "email": f"p{n}@example.org"}, forwarded=f"198.51.100.{n}").status_code == 201
    response = register({**GOOD, "email": "p9@example.org"}, forwarded="198.51.100.9")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert not Profile.objects.filter(user__email="p9@example.org").exists()


@override_settings(THROTTLE_REGISTRATION="3/h")
def test_registrations_naming_one_address_are_throttled_across_clients(summit):
    statuses = [register({**GOOD, "email": "Target@example.org"}, address=f"192.0.2.{n}").status_code for n in range(4)]
    assert statuses == [201, 202, 202, 429]


@override_settings(THROTTLE_REGISTRATION="3/h")
def test_registration_page_is_throttled_like_the_api(summit):
    for n in range(3):
        assert Client().post("/summits/roadshow/register/", {**GOOD, "email": f"p{n}@example.org"}).status_code == 302
    response = Client().post("/summits/roadshow/register/", {**GOOD, "email": "p9@example.org"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


@override_settings(THROTTLE_SIGNIN_LINK="2/h")
def test_sign_in_link_requests_from_one_client_are_throttled_with_retry_after(summit):
    client = Client()
    statuses = [client.post("/signin/", {"email": "someone@example.org"}).status_code for _ in range(3)]
    assert statuses == [202, 202, 429]
    assert 0 < int(client.post("/signin/", {"email": "x@example.org"}).headers["Retry-After"]) <= 3600


@override_settings(THROTTLE_SIGNIN_LINK="2/h")
def test_at_most_the_limit_of_link_mails_reach_one_address(summit, django_capture_on_commit_callbacks):
    person = make_person("target")
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert Client().post("/signin/", {"email": person.email}, REMOTE_ADDR=f"192.0.2.{n}").status_code == 202
    for n in range(3):  # a registration naming a known address mails a link too
        with django_capture_on_commit_callbacks(execute=True):
            assert register({**GOOD, "email": person.email}, address=f"192.0.2.{100 + n}").status_code == 202
    assert [message.to for message in mail.outbox] == [[person.email]] * 2


@pytest.fixture
def redis_down():
    """The cache (and with it every throttle counter) is a Redis nobody answers on."""
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    with override_settings(CACHES=caches):
        yield


def test_login_while_redis_is_down_is_a_json_503_not_a_500(organiser, redis_down):
    response = api_login("organiser", "correct horse battery")
    assert response.status_code == 503
    assert response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_registration_while_redis_is_down_is_a_json_503_and_stores_nobody(summit, redis_down):
    response = register(GOOD)
    assert response.status_code == 503
    assert response.json()["detail"]
    assert not Profile.objects.exists()


@pytest.mark.parametrize(
    ("value", "hops", "proto_header"),
    [
        (None, "0", "None"),
        ("1", "1", "('HTTP_X_FORWARDED_PROTO', 'https')"),
        ("2", "2", "('HTTP_X_FORWARDED_PROTO', 'https')"),
    ],
)
def test_behind_proxy_sets_which_forwarded_headers_count(tmp_path, value, hops, proto_header):
    env = {k: v for k, v in os.environ.items() if k != "BEHIND_PROXY"}
    if value is not None:
        env["BEHIND_PROXY"] = value
    script = (
        "import django; django.setup(); from django.conf import settings as s; from ninja.conf import settings; "
        "print(settings.NUM_PROXIES); print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "DJANGO_SETTINGS_MODULE": "summit.settings", "VAR_DIR": str(tmp_path)},
    )
    assert result.stdout.split("\n")[:2] == [hops, proto_header], result.stderr


NGINX = "/usr/sbin/nginx"


def start_shipped_nginx(tmp_path, upstream_port):
    """deploy/nginx.conf as shipped, pointed at one Daphne and listening on a free port."""
    if not os.access(NGINX, os.X_OK):
        if services_required():
            pytest.fail(f"{NGINX} is missing (scripts/install-system-packages installs it)")
        pytest.skip(f"{NGINX} is missing")
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("server web:8000;", f"server 127.0.0.1:{upstream_port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (tmp_path / "site.conf").write_text(site)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/nginx-error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {temp['body']}; proxy_temp_path {temp['proxy']}; "
        f"fastcgi_temp_path {temp['fastcgi']}; uwsgi_temp_path {temp['uwsgi']}; scgi_temp_path {temp['scgi']}; "
        f"include {tmp_path}/site.conf; }}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    stop(process)
    pytest.fail("nginx did not start: " + (tmp_path / "nginx-error.log").read_text()[-2000:])


def http_login(port, forwarded, csrf):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login/",
        method="POST",
        data=json.dumps({"username": "organiser", "password": "wrong"}).encode(),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": csrf,
            "Cookie": f"csrftoken={csrf}",
            "X-Forwarded-For": forwarded,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.multiprocess
@pytest.mark.django_db(transaction=True)
def test_behind_the_shipped_nginx_a_forged_forwarded_for_gets_no_new_allowance(organiser, redis_url, tmp_path):
    from django.conf import settings
    from django.db import connection

    database_url = shared_database_url(connection, "the proxied Daphne")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path),
        "BEHIND_PROXY": "1",
        "THROTTLE_LOGIN": "3/m",
        "CACHE_KEY_PREFIX": f"nginx-test-{free_port()}",
    }
    daphne_port = free_port()
    daphne = start_daphne(daphne_port, env, tmp_path / "daphne.log", ready_path="/api/openapi.json")
    try:
        nginx, port = start_shipped_nginx(tmp_path, daphne_port)
        try:
            csrf = "nginxTestCsrfToken0123456789abcd"
            statuses = [http_login(port, f"198.51.100.{n}", csrf) for n in range(5)]
        finally:
            stop(nginx)
    finally:
        stop(daphne)
    assert statuses == [401, 401, 401, 429, 429]


@pytest.mark.multiprocess
def test_shipped_nginx_overwrites_forwarded_for_instead_of_appending(tmp_path):
    import http.server
    import threading

    seen = []

    class Upstream(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get_all("X-Forwarded-For"))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        nginx, port = start_shipped_nginx(tmp_path, upstream.server_address[1])
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-For": "203.0.113.9"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 204
        finally:
            stop(nginx)
    finally:
        upstream.shutdown()
        upstream.server_close()
    assert seen == [["127.0.0.1"]]
