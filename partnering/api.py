"""Partnering JSON API: translation between HTTP and partnering.services, nothing more."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from events.services import access_summit
from partnering import services
from partnering.models import Meeting
from summit.csvfile import csv_response
from summit.schemas import Error, Input

router = Router(auth=django_auth, tags=["partnering"])


class OfficeHours(Schema):
    start: str = Field(..., examples=["09:00"], max_length=8)
    end: str = Field(..., examples=["18:00"], max_length=8)
    weekdays: list[int] = Field(..., description="ISO weekdays, 1 = Monday.", examples=[[1, 2, 3, 4, 5]])


class PartnerOut(Schema):
    id: int
    kind: str = Field(..., description="person | company")
    name: str
    organisation: str
    company: str | None = Field(..., description="Slug of the pitching company (its own, or the person's).")
    country: str
    city: str
    timezone: str
    office_hours: OfficeHours
    themes: list[str]
    offers: list[str]
    seeks: list[str]
    about: str


class SuggestionOut(PartnerOut):
    score: int
    reasons: list[str]


class MyProfileOut(PartnerOut):
    visible: bool


class OfficeHoursIn(OfficeHours, Input):
    """Office hours as a request sends them: no fields beyond these."""


class MyProfileIn(Input):
    organisation: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=2)
    city: str | None = Field(None, max_length=100)
    timezone: str | None = Field(None, max_length=64)
    office_hours: OfficeHoursIn | None = None
    themes: list[str] | None = None
    offers: list[str] | None = None
    seeks: list[str] | None = None
    about: str | None = Field(None, max_length=4000)
    visible: bool | None = None


class LocalPair(Schema):
    you: dt.datetime
    them: dt.datetime


class ClockChange(Schema):
    at: dt.datetime
    timezone: str


class OutsideMinutes(Schema):
    you: int
    them: int


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    local: LocalPair
    label: str = Field(..., examples=["10:00 Paris · 17:00 Qingdao"])
    clock_change_before: bool = Field(
        ..., description="Either party's zone changes its UTC offset after now and at or before the start."
    )
    clock_changes: list[ClockChange]
    outside_hours: OutsideMinutes | None = Field(
        None, description="Only on nearest candidates: minutes outside each party's office hours."
    )
    requested: int | None = Field(
        None,
        description="Id of one of your own pending requests at that time (the slot is then not offered "
        "for booking on the page).",
    )


class MeetingIn(Input):
    with_: int = Field(..., alias="with", description="The other party's profile id.")
    starts_at: dt.datetime
    duration_minutes: int = 30
    message: str = Field("", max_length=2000)
    outside_hours_ok: bool = Field(False, description="You agree to a time outside your own office hours.")
    as_company: str | None = Field(None, description="Slug of a company you are a member of, to act for it.")


class ProposeIn(Input):
    starts_at: dt.datetime
    outside_hours_ok: bool = False


class DeclineIn(Input):
    message: str = Field("", max_length=2000)


class MeetingPatch(Input):
    video_url: str = Field(..., max_length=200)


class Side(Schema):
    profile: int
    name: str
    timezone: str
    city: str
    company: str | None = Field(..., description="Slug of the company when this side is a pitching company.")


class OtherSide(Side):
    organisation: str


class SidesOutside(Schema):
    you: bool
    them: bool


class MeetingOut(Schema):
    id: int
    summit: str
    status: str = Field(..., description="requested | accepted | declined | cancelled")
    awaiting: str | None = Field(..., description="Who must answer a requested meeting: you | them.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    duration_minutes: int
    local: LocalPair
    label: str
    clock_change_before: bool
    clock_changes: list[ClockChange]
    outside_hours: SidesOutside
    you: Side
    with_: OtherSide = Field(..., alias="with")
    message: str
    answer: str
    video_url: str
    room: str | None = Field(..., description="Slug of the private room, once accepted.")
    url: str
    sequence: int


@router.get("/summits/{slug}/partners/", response=list[PartnerOut])
def directory(request, slug: str, q: str = "", theme: str = "", country: str = "", offers: str = "", seeks: str = ""):
    """Visible partner profiles of the summit, for its registered people."""
    summit = access_summit(slug)
    found = services.directory(request.user, summit, services.DirectoryFilter(q, theme, country, offers, seeks))
    companies = services.company_slugs_by_user(summit)
    return [services.profile_out(p, companies) for p in found]


@router.get("/summits/{slug}/partners/suggested/", response=list[SuggestionOut])
def suggested(request, slug: str):
    """Ranked matches: 3 per need you seek that they offer, 2 per need they seek that you offer,
    1 per shared theme; ties by name. Each comes with its reasons."""
    summit = access_summit(slug)
    companies = services.company_slugs_by_user(summit)
    return [
        {**services.profile_out(p, companies), "score": score, "reasons": reasons}
        for p, score, reasons in services.suggestions(request.user, summit)
    ]


def _mine(profile):
    return {**services.profile_out(profile), "visible": profile.visible}


@router.get("/summits/{slug}/partners/me/", response=MyProfileOut)
def my_profile(request, slug: str):
    summit = access_summit(slug)
    return _mine(services.access_partnering(request.user, summit))


@router.put("/summits/{slug}/partners/me/", response=MyProfileOut)
def update_my_profile(request, slug: str, payload: MyProfileIn):
    summit = access_summit(slug)
    profile = services.access_partnering(request.user, summit)
    return _mine(services.do_update_profile(request.user, profile, _profile_change(payload)))


def _profile_change(payload):
    data = payload.dict(exclude_unset=True)
    hours = data.pop("office_hours", None) or {}
    return services.ProfileChange(
        **data, office_start=hours.get("start"), office_end=hours.get("end"), office_weekdays=hours.get("weekdays")
    )


@router.get("/summits/{slug}/partners/{profile_id}/", response=PartnerOut)
def partner(request, slug: str, profile_id: int):
    """One visible profile (hidden ones are 404, except to whoever acts for them)."""
    summit = access_summit(slug)
    return services.profile_out(services.access_profile(request.user, summit, profile_id))


@router.get("/summits/{slug}/partners/companies/{company_slug}/", response=MyProfileOut)
def company_profile(request, slug: str, company_slug: str):
    """A pitching company's own profile, for its members."""
    summit = access_summit(slug)
    return _mine(services.access_acting_profile(request.user, summit, company_slug))


@router.put("/summits/{slug}/partners/companies/{company_slug}/", response=MyProfileOut)
def update_company_profile(request, slug: str, company_slug: str, payload: MyProfileIn):
    summit = access_summit(slug)
    profile = services.access_acting_profile(request.user, summit, company_slug)
    return _mine(services.do_update_profile(request.user, profile, _profile_change(payload)))


@router.get("/summits/{slug}/meetings/slots/", response=list[SlotOut])
def slots(
    request,
    slug: str,
    with_: int = Query(..., alias="with"),
    duration: int = 30,
    step: int = services.DEFAULT_STEP,
    nearest: bool = False,
    as_company: str | None = None,
):
    """Common slots inside both parties' office hours on the meeting days, free for both, from now on.

    "Yours" means your own profile, or your company's with `as_company`. Office hours and meeting days
    (the summit's starts_on..ends_on) are read on each party's own wall clock with the tz database, so
    the Paris–Shanghai window is 09:00–11:00 Paris in winter and 09:00–12:00 in summer. Slots already
    past or overlapping an accepted meeting of either party are left out.

    Each slot: `starts_at`/`ends_at` in UTC, `local.you`/`local.them` with their offsets, a `label`
    such as "10:00 Paris · 17:00 Qingdao", and `clock_change_before`: true when either party's zone
    changes its UTC offset after the moment of this request and at or before the slot's start (the
    instant never moves; the flag warns that a calendar assuming today's offset would be wrong);
    `clock_changes` says which zone changes when.

    `duration` is one of 15, 30, 45, 60, 90, 120 minutes; `step` one of 15, 30, 60 (slots start at
    office-hour start + k × step on either party's clock). When there is no common slot the list is
    empty; with `nearest=true` it holds instead up to five nearest candidates: inside THEIR office
    hours and as little outside yours as possible, each with `outside_hours` minutes (book one with
    `outside_hours_ok: true`). With common slots the answer is the same with or without `nearest`,
    and `outside_hours` is null, which is how a client tells the two cases apart.
    """
    summit = access_summit(slug)
    me = services.access_acting_profile(request.user, summit, as_company)
    them = services.access_profile(request.user, summit, with_)
    found, _common = services.common_slots(me, them, summit, duration, step, nearest=nearest)
    return found


@router.post("/summits/{slug}/meetings/", response={201: MeetingOut}, by_alias=True)
def request_meeting(request, slug: str, payload: MeetingIn):
    """422 when invalid or outside the other party's office hours (outside yours needs
    `outside_hours_ok: true`); 409 when either party already has an accepted meeting then."""
    summit = access_summit(slug)
    data = payload.dict()
    meeting = services.do_request_meeting(
        request.user,
        summit,
        services.MeetingRequest(
            with_profile=data["with_"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            message=data["message"],
            outside_hours_ok=data["outside_hours_ok"],
            as_company=data["as_company"],
        ),
    )
    return Status(201, services.meeting_out(meeting, request.user))


def _meeting(meeting_id):
    return Meeting(pk=meeting_id)


@router.get("/meetings/{meeting_id}/", response=MeetingOut, by_alias=True)
def get_meeting(request, meeting_id: int):
    meeting, _side = services.access_meeting(request.user, meeting_id)
    return services.meeting_out(meeting, request.user)


@router.patch("/meetings/{meeting_id}/", response=MeetingOut, by_alias=True)
def update_meeting(request, meeting_id: int, payload: MeetingPatch):
    """Sets the external video link (either party)."""
    meeting = services.do_set_video_url(request.user, _meeting(meeting_id), payload.video_url)
    return services.meeting_out(meeting, request.user)


@router.post("/meetings/{meeting_id}/accept/", response=MeetingOut, by_alias=True)
def accept(request, meeting_id: int):
    """409 when either party already has an accepted meeting at that time, however accepts race."""
    return services.meeting_out(services.do_accept(request.user, _meeting(meeting_id)), request.user)


@router.post("/meetings/{meeting_id}/decline/", response=MeetingOut, by_alias=True)
def decline(request, meeting_id: int, payload: DeclineIn | None = None):
    answer = payload.message if payload else ""
    return services.meeting_out(services.do_decline(request.user, _meeting(meeting_id), answer), request.user)


@router.post("/meetings/{meeting_id}/cancel/", response=MeetingOut, by_alias=True)
def cancel(request, meeting_id: int):
    return services.meeting_out(services.do_cancel(request.user, _meeting(meeting_id)), request.user)


@router.post("/meetings/{meeting_id}/propose/", response=MeetingOut, by_alias=True)
def propose(request, meeting_id: int, payload: ProposeIn):
    """Moves the meeting to `starts_at` (same rules as a request); the other side answers again."""
    meeting = services.do_propose(request.user, _meeting(meeting_id), payload.starts_at, payload.outside_hours_ok)
    return services.meeting_out(meeting, request.user)


@router.get("/me/meetings/", response={200: list[MeetingOut], 404: Error}, by_alias=True)
def my_meetings(request, summit: str | None = None):
    """The signed-in person's meetings (their own and their companies'), with both local times."""
    scope = access_summit(summit) if summit else None
    return [services.meeting_out(m, request.user) for m in services.meetings_of(request.user, scope)]


class InterestOut(Schema):
    profile_id: int = Field(..., description="The interested person's partner profile.")
    name: str
    organisation: str
    country: str
    email: str = Field(..., description="Shown to the company: interest is the person's choice to be known by it.")
    seeks: list[str]
    mutual: bool
    at: dt.datetime


class MyInterestOut(Schema):
    company: str
    interested: bool
    mutual: bool


class IntroductionOut(Schema):
    summit: str
    company: str = Field(..., description="The company whose interest became mutual.")
    as_company: str | None = Field(..., description="Set when you meet for that company (you are its member).")
    profile_id: int = Field(..., description="The other side's partner profile: book with it.")
    name: str
    organisation: str
    country: str
    at: dt.datetime = Field(..., description="When the interest became mutual.")
    slots_url: str = Field(..., description="The common slots with the other side (the slot picker's API).")
    offer_url: str = Field(..., description="The page listing those slots with one-click booking.")


def _my_interest(company, interest):
    return {
        "company": company.slug,
        "interested": interest is not None,
        "mutual": bool(interest and interest.mutual_at),
    }


@router.post("/summits/{slug}/companies/{company_slug}/interest/", response=MyInterestOut)
def express_interest(request, slug: str, company_slug: str):
    """Registered people tell a company they are interested (idempotent). Only the company's members and the
    organisers see it. A member of that company is refused (422)."""
    summit = access_summit(slug)
    interest = services.do_express_interest(request.user, summit, company_slug)
    return _my_interest(interest.company, interest)


@router.delete("/summits/{slug}/companies/{company_slug}/interest/", response=MyInterestOut)
def withdraw_interest(request, slug: str, company_slug: str):
    """Withdraws the interest (idempotent); the company no longer sees the person in its list."""
    summit = access_summit(slug)
    services.do_withdraw_interest(request.user, summit, company_slug)
    return {"company": company_slug, "interested": False, "mutual": False}


@router.get("/summits/{slug}/companies/{company_slug}/interests/", response=list[InterestOut])
def company_interests(request, slug: str, company_slug: str):
    """Who is interested in the company, newest first: its members and the organisers only (403 others)."""
    summit = access_summit(slug)
    company = services.access_company_interests(request.user, summit, company_slug)
    return services.company_interests(company)


@router.post("/summits/{slug}/companies/{company_slug}/interests/{profile_id}/accept/", response=InterestOut)
def answer_interest(request, slug: str, company_slug: str, profile_id: int):
    """A member answers "Interested" back: the interest is mutual, both sides are told and offered slots."""
    summit = access_summit(slug)
    return services.interest_out(services.do_answer_interest(request.user, summit, company_slug, profile_id))


@router.get("/me/introductions/", response=list[IntroductionOut])
def my_introductions(request, summit: str | None = None):
    """Mutual interests you take part in (as the interested person or for your company), each with the URL of
    the common slots with the other side."""
    scope = access_summit(summit) if summit else None
    return services.introductions(request.user, scope)


@router.get("/summits/{slug}/companies/{company_slug}/leads.csv", tags=["partnering", "reports"])
def company_leads_csv(request, slug: str, company_slug: str):
    """A company's leads, the same CSV as its leads page offers: for its members and the organisers only."""
    summit = access_summit(slug)
    company = services.access_company_leads(request.user, summit, company_slug)
    rows = services.leads(summit, [company])[company.pk]
    return csv_response(services.leads_csv(rows), f"{company.slug}-leads.csv")


class ContactSharingOut(Schema):
    summit: bool | None = Field(..., description="The choice for every company of the summit; null if none made.")
    companies: dict[str, bool] = Field(..., description="Choices for single companies, by slug; these win.")


class ContactSharingIn(Input):
    summit: bool | None = Field(None, description="Share my contact with every company of the summit (or not).")
    companies: dict[str, bool] = Field(default_factory=dict, description="Share it with these companies (or not).")


@router.get("/summits/{slug}/contact-sharing/", response=ContactSharingOut, tags=["partnering", "privacy"])
def get_contact_sharing(request, slug: str):
    """Whose leads my name and email reach: only the companies I agreed to share them with."""
    return services.contact_sharing(request.user, access_summit(slug))


@router.put("/summits/{slug}/contact-sharing/", response=ContactSharingOut, tags=["partnering", "privacy"])
def set_contact_sharing(request, slug: str, payload: ContactSharingIn):
    """Changes my choices; what is not sent stays as it was."""
    return services.do_set_contact_sharing(
        request.user, access_summit(slug), everyone=payload.summit, companies=payload.companies
    )
