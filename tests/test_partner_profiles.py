"""Partner profiles: only registered people see them, hidden ones are not listed, edits are checked."""

import json

import pytest

from events.models import Company, Profile
from partnering import services
from summit.errors import Forbidden
from tests.conftest import count_queries, csrf_headers, signed_in
from tests.partnering_helpers import registered


def put_me(client, body):
    return client.put(
        "/api/summits/roadshow/partners/me/",
        json.dumps(body),
        content_type="application/json",
        headers=csrf_headers(client),
    )


def test_my_profile_starts_from_my_events_profile(attendee_client):
    me = attendee_client.get("/api/summits/roadshow/partners/me/").json()
    assert (me["name"], me["organisation"], me["country"], me["timezone"]) == (
        "Camille Bernard",
        "Inria",
        "FR",
        "Europe/Paris",
    )
    assert me["office_hours"] == {"start": "09:00", "end": "18:00", "weekdays": [1, 2, 3, 4, 5]}
    assert me["visible"] is True


def test_unregistered_people_get_403_and_anonymous_401(summit, stranger, anonymous_client):
    assert signed_in(stranger).get("/api/summits/roadshow/partners/").status_code == 403
    assert signed_in(stranger).get("/api/summits/roadshow/partners/suggested/").status_code == 403
    assert anonymous_client.get("/api/summits/roadshow/partners/").status_code == 401
    assert signed_in(stranger).get("/summits/roadshow/partnering/").status_code == 403


def test_hidden_profiles_are_not_listed_nor_bookable(attendee_client, attendee_shanghai, summit):
    lina = services.my_profile(attendee_shanghai, summit)
    services.do_update_profile(attendee_shanghai, lina, services.ProfileChange(visible=False))
    names = [p["name"] for p in attendee_client.get("/api/summits/roadshow/partners/").json()]
    assert "Li Na" not in names
    assert attendee_client.get(f"/api/summits/roadshow/meetings/slots/?with={lina.pk}").status_code == 404
    assert attendee_client.get(f"/summits/roadshow/partnering/partners/{lina.pk}/").status_code == 404


def test_directory_lists_registered_people_and_companies_once(attendee_client, attendee_shanghai, fair_vision):
    found = attendee_client.get("/api/summits/roadshow/partners/").json()
    assert sorted(p["name"] for p in found) == ["Camille Bernard", "Fair Vision", "Li Na"]
    assert {p["name"]: p["company"] for p in found}["Fair Vision"] == "fair-vision"


def test_directory_filters_by_text_theme_country_and_needs(summit, attendee_client, attendee_shanghai, fair_vision):
    lina = services.my_profile(attendee_shanghai, summit)
    services.do_update_profile(
        attendee_shanghai,
        lina,
        services.ProfileChange(themes=["Medical devices"], offers=["distribution"], seeks=["rd-partner"]),
    )
    fair_vision.members.add(attendee_shanghai)

    def names(query):
        return [p["name"] for p in attendee_client.get(f"/api/summits/roadshow/partners/?{query}").json()]

    assert names("q=rehabilitation") == ["Li Na"]  # organisation
    assert names("q=li%20na") == ["Li Na"]  # name, any case
    assert names("q=fair") == ["Fair Vision", "Li Na"]  # company, and a member of it
    assert names("theme=Medical%20devices") == ["Li Na"]
    assert names("country=cn") == ["Li Na"]
    assert names("offers=distribution&seeks=rd-partner") == ["Li Na"]
    assert names("offers=investment") == []


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": "Mars/Olympus"},
        {"themes": ["Astrology"]},
        {"offers": ["bribes"]},
        {"office_hours": {"start": "18:00", "end": "09:00", "weekdays": [1]}},
        {"office_hours": {"start": "9h", "end": "18:00", "weekdays": [1]}},
        {"office_hours": {"start": "09:00", "end": "18:00", "weekdays": [8]}},
        {"office_hours": {"start": "09:00", "end": "18:00", "weekdays": []}},
        {"country": "FRA"},
        {"visible": "maybe"},
    ],
)
def test_bad_profile_edits_are_422(attendee_client, body):
    response = put_me(attendee_client, body)
    assert response.status_code == 422, response.content
    assert "detail" in response.json()


def test_profile_edit_is_saved(attendee_client):
    response = put_me(
        attendee_client,
        {
            "timezone": "Asia/Shanghai",
            "city": "Qingdao",
            "themes": ["AI/ICT"],
            "offers": ["investment"],
            "seeks": ["distribution", "distribution"],
            "office_hours": {"start": "08:30", "end": "17:00", "weekdays": [5, 1]},
            "visible": False,
        },
    )
    assert response.status_code == 200, response.content
    me = attendee_client.get("/api/summits/roadshow/partners/me/").json()
    assert me["office_hours"] == {"start": "08:30", "end": "17:00", "weekdays": [1, 5]}
    assert (me["city"], me["seeks"], me["visible"]) == ("Qingdao", ["distribution"], False)


def test_profile_page_form_saves_and_shows_errors(summit, attendee_paris, attendee_client):
    Profile.objects.filter(user=attendee_paris).update(language="en")  # about the form, not the language
    page = attendee_client.get("/summits/roadshow/partnering/me/")
    assert page.status_code == 200
    form = {
        "csrfmiddlewaretoken": page.cookies["csrftoken"].value if "csrftoken" in page.cookies else "",
        "organisation": "Inria",
        "country": "FR",
        "timezone": "Europe/Paris",
        "office_start": "09:00",
        "office_end": "17:00",
        "weekdays": ["1", "2"],
        "themes": ["AI/ICT"],
        "seeks": ["investment"],
        "visible": "on",
    }
    client = signed_in(attendee_paris)
    client.handler.enforce_csrf_checks = False
    assert client.post("/summits/roadshow/partnering/me/", form).status_code == 302
    profile = services.my_profile(attendee_paris, summit)
    assert (profile.office_weekdays, profile.seeks) == ([1, 2], ["investment"])
    bad = client.post("/summits/roadshow/partnering/me/", {**form, "office_end": "08:00"})
    assert bad.status_code == 200 and "end after they start" in bad.content.decode()


def test_company_members_may_edit_their_company_profile_and_others_may_not(summit, attendee_paris, fair_vision):
    services.do_create_missing_profiles(summit)
    card = fair_vision.partner_profile
    with pytest.raises(Forbidden):
        services.do_update_profile(attendee_paris, card, services.ProfileChange(seeks=["investment"]))
    fair_vision.members.add(attendee_paris)
    services.do_update_profile(attendee_paris, card, services.ProfileChange(seeks=["investment"]))
    assert Company.objects.get(pk=fair_vision.pk).partner_profile.seeks == ["investment"]


def test_directory_page_shows_filters_and_partners(summit, attendee_client, attendee_shanghai):
    registered(summit, "thomas")
    page = attendee_client.get("/summits/roadshow/partnering/?q=li")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Li Na" in body and "Thomas" not in body.split('id="directory-title"')[1]


def test_directory_runs_as_many_queries_for_seven_people_as_for_two(summit, attendee_client):
    registered(summit, "person0")
    attendee_client.get("/api/summits/roadshow/partners/")
    small, small_count = count_queries(lambda: attendee_client.get("/api/summits/roadshow/partners/").json())
    for n in range(1, 6):
        registered(summit, f"person{n}")
    large, large_count = count_queries(lambda: attendee_client.get("/api/summits/roadshow/partners/").json())
    assert (len(small), len(large)) == (2, 7)
    assert large_count == small_count


def test_openapi_documents_the_partnering_endpoints(client):
    document = client.get("/api/openapi.json").json()
    assert "/api/summits/{slug}/meetings/slots/" in document["paths"]
    slots = document["paths"]["/api/summits/{slug}/meetings/slots/"]["get"]
    assert "nearest" in slots["description"]
    assert {p["name"] for p in slots["parameters"]} >= {"with", "duration", "nearest"}


def test_one_profile_is_readable_unless_hidden(summit, attendee_client, attendee_shanghai, stranger):
    lina = services.my_profile(attendee_shanghai, summit)
    url = f"/api/summits/roadshow/partners/{lina.pk}/"
    assert attendee_client.get(url).json()["name"] == "Li Na"
    assert signed_in(stranger).get(url).status_code == 403
    services.do_update_profile(attendee_shanghai, lina, services.ProfileChange(visible=False))
    assert attendee_client.get(url).status_code == 404
    assert signed_in(attendee_shanghai).get(url).status_code == 200
    assert attendee_client.get("/api/summits/roadshow/partners/me/").status_code == 200


def test_a_new_registration_and_a_new_company_have_their_profiles_at_once(summit):
    from events.models import Registration
    from partnering.models import PartnerProfile
    from tests.conftest import make_person

    person = make_person("newcomer", timezone="Asia/Shanghai", country="CN")
    Registration.objects.create(summit=summit, user=person)
    company = Company.objects.create(summit=summit, slug="epicnpoc", name="Epicnpoc", country="FR")
    assert PartnerProfile.objects.get(summit=summit, user=person).timezone == "Asia/Shanghai"
    assert PartnerProfile.objects.get(summit=summit, company=company).organisation == "Epicnpoc"


def test_reading_partnering_pages_and_api_writes_nothing(attendee_client, attendee_shanghai, fair_vision):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        for url in (
            "/summits/roadshow/partnering/",
            "/api/summits/roadshow/partners/",
            "/api/summits/roadshow/partners/suggested/",
            "/api/summits/roadshow/partners/me/",
        ):
            assert attendee_client.get(url).status_code == 200, url
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
