"""Suggestions are ranked by what two sides have in common, with the reasons, deterministically."""

import datetime as dt

from partnering import services
from tests.partnering_helpers import make_summit, registered


def test_suggestions_rank_needs_above_themes_and_explain_why(db):
    summit = make_summit("match", dt.date(2027, 3, 29), dt.date(2027, 3, 31))
    camille, _ = registered(
        summit, "camille", themes=["Medical devices", "AI/ICT"], seeks=["distribution"], offers=["investment"]
    )
    registered(summit, "lina", "Asia/Shanghai", "CN", themes=["Medical devices"], offers=["distribution"])
    registered(summit, "anna", "Europe/Berlin", "DE", seeks=["investment"])
    registered(summit, "zhao", "Asia/Shanghai", "CN", themes=["AI/ICT"])
    registered(summit, "bruno", "Asia/Shanghai", "CN", themes=["AI/ICT"])
    registered(summit, "liu", "Asia/Shanghai", "CN", offers=["distribution"], visible=False)
    registered(summit, "nobody", themes=["Robotics"])

    ranked = services.suggestions(camille, summit)

    assert [(p.user.username, score, reasons) for p, score, reasons in ranked] == [
        ("lina", 4, ["you seek distribution, they offer it", "both in Medical devices"]),
        ("anna", 2, ["they seek investment, you offer it"]),
        ("bruno", 1, ["both in AI/ICT"]),  # ties by name: Bruno before Zhao
        ("zhao", 1, ["both in AI/ICT"]),
    ]


def test_suggestions_api_returns_reasons(summit, attendee_client, attendee_paris, attendee_shanghai):
    me = services.my_profile(attendee_paris, summit)
    services.do_update_profile(attendee_paris, me, services.ProfileChange(seeks=["distribution"]))
    lina = services.my_profile(attendee_shanghai, summit)
    services.do_update_profile(attendee_shanghai, lina, services.ProfileChange(offers=["distribution"]))
    found = attendee_client.get("/api/summits/roadshow/partners/suggested/").json()
    # Camille reads French: the reason comes in her language.
    assert [(p["name"], p["reasons"]) for p in found] == [
        ("Li Na", ["ce partenaire propose ce que vous recherchez\u202f: distribution"])
    ]


def test_my_own_company_is_never_suggested(summit, attendee_paris, fair_vision):
    services.do_create_missing_profiles(summit)
    services.do_update_profile(
        attendee_paris, services.my_profile(attendee_paris, summit), services.ProfileChange(themes=["AI/ICT"])
    )
    fair_vision.partner_profile.themes = ["AI/ICT"]
    fair_vision.partner_profile.save()
    assert [p.name for p, _s, _r in services.suggestions(attendee_paris, summit)] == ["Fair Vision"]
    fair_vision.members.add(attendee_paris)
    assert services.suggestions(attendee_paris, summit) == []
