"""Partnering pages: plain forms over the same services as the API, no script needed."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.services import COMMON_TIMEZONES, access_agenda_feed, access_summit, do_ensure_agenda_feed, is_organiser
from partnering import services
from partnering.models import NEEDS, Meeting
from partnering.signals import meeting_page_panels
from summit.csvfile import csv_response
from summit.errors import Conflict, Invalid, NotFound, NotSignedIn, ServiceError


def _parse_instant(value):
    try:
        return dt.datetime.fromisoformat(value or "")
    except ValueError:
        raise Invalid(_("Pick a time from the list.")) from None


def _int(value, default, field):
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(_("%(field)s must be a number.") % {"field": field}) from None


def _report(request, error):
    """A refused form comes back to its page with the reason; someone signed out is sent to sign in."""
    if isinstance(error, NotSignedIn):
        raise error
    messages.error(request, error.detail)


def directory(request, slug):
    summit = access_summit(slug)
    me = services.access_partnering(request.user, summit)
    filters = services.DirectoryFilter(
        **{k: request.GET.get(k, "") for k in ("q", "theme", "country", "offers", "seeks")}
    )
    context = {
        "summit": summit,
        "me": me,
        "filters": filters,
        "partners": [p for p in services.directory(request.user, summit, filters) if p.pk != me.pk],
        "suggested": services.suggestions(request.user, summit)[:6],
        "needs": NEEDS,
        "countries": services.directory_countries(summit),
        "is_organiser": is_organiser(request.user, summit),
        "my_companies": services.companies_of(request.user, summit),
    }
    return render(request, "partnering/directory.html", context)


@require_http_methods(["GET", "POST"])
def my_profile(request, slug, company_slug=None):
    """My own partnering card, or (with company_slug) my company's."""
    summit = access_summit(slug)
    profile = services.access_acting_profile(request.user, summit, company_slug)
    if request.method == "POST":
        post = request.POST
        change = services.ProfileChange(
            organisation=post.get("organisation", ""),
            country=post.get("country", ""),
            city=post.get("city", ""),
            timezone=post.get("timezone", ""),
            office_start=post.get("office_start", ""),
            office_end=post.get("office_end", ""),
            about=post.get("about", ""),
            office_weekdays=[_int(d, 0, "weekday") for d in post.getlist("weekdays")],
            themes=post.getlist("themes"),
            offers=post.getlist("offers"),
            seeks=post.getlist("seeks"),
            visible=post.get("visible") == "on",
        )
        try:
            services.do_update_profile(request.user, profile, change)
        except ServiceError as error:
            _report(request, error)
            profile = services.access_acting_profile(request.user, summit, company_slug)
        else:
            messages.success(request, _("The partnering profile is saved."))
            return redirect(request.path)
    context = {
        "summit": summit,
        "profile": profile,
        "company": profile.company,
        "needs": NEEDS,
        # Django's own names, as dates print them ("samedi" in a French sentence); the form capitalises.
        "weekdays": [(number + 1, WEEKDAYS[number]) for number in range(7)],
        "timezones": _timezones(profile.timezone),
    }
    return render(request, "partnering/my_profile.html", context)


def _timezones(current):
    return sorted(set(COMMON_TIMEZONES) | {current})


@require_http_methods(["GET", "POST"])
def partner(request, slug, profile_id):
    """The slot picker: common slots in both local times, or the nearest ones, and a booking form."""
    summit = access_summit(slug)
    acting_as = request.GET.get("as") or request.POST.get("as_company") or None
    them = services.access_profile(request.user, summit, profile_id)
    proposing, side = _meeting_to_move(request, them, _int(request.GET.get("propose"), None, "propose"))
    me = side or services.access_acting_profile(request.user, summit, acting_as)
    if me.pk == them.pk:
        return redirect("partnering-me", slug=summit.slug)
    duration = _int(request.GET.get("duration") or request.POST.get("duration_minutes"), 30, "duration")
    if request.method == "POST":
        try:
            meeting = services.do_request_meeting(
                request.user,
                summit,
                services.MeetingRequest(
                    with_profile=them.pk,
                    starts_at=_parse_instant(request.POST.get("starts_at")),
                    duration_minutes=duration,
                    message=request.POST.get("message", ""),
                    outside_hours_ok=request.POST.get("outside_hours_ok") == "on",
                    as_company=acting_as,
                ),
            )
        except ServiceError as error:
            _report(request, error)
        else:
            messages.success(request, _("Meeting requested. %(name)s will answer.") % {"name": them.name})
            return redirect("partnering-meeting", slug=summit.slug, meeting_id=meeting.pk)
    if duration not in services.DURATIONS:
        duration = 30
    slots, common = services.common_slots(me, them, summit, duration, nearest=True, exclude_meeting=proposing)
    _score, reasons = services.match(me, them)
    context = {
        "summit": summit,
        "me": me,
        "them": them,
        "reasons": reasons,
        "slots": slots,
        "common": common,
        "duration": duration,
        "durations": services.DURATIONS,
        "me_place": services.place_of(me),
        "them_place": services.place_of(them),
        "me_hours": services.office_hours_out(me),
        "them_hours": services.office_hours_out(them),
        "proposing": proposing,
        "acting_as": acting_as,
        "my_companies": services.companies_of(request.user, summit).exclude(pk=them.company_id or 0),
    }
    return render(request, "partnering/partner.html", context)


def _meeting_to_move(request, them, meeting_id):
    """With ?propose=ID the picker proposes a new time for that meeting instead of booking a new one."""
    if meeting_id is None:
        return None, None
    found, side = services.access_meeting(request.user, meeting_id, act=True)
    if services.other_side(found, side).pk != them.pk:
        raise NotFound(_("No such meeting with this partner."))
    return found, side


def my_meetings(request, slug):
    summit = access_summit(slug)
    services.access_partnering(request.user, summit)
    meetings = [services.meeting_out(m, request.user) for m in services.meetings_of(request.user, summit)]
    context = {
        "summit": summit,
        "meetings": meetings,
        "feed_url": request.build_absolute_uri(
            reverse("partnering-feed", args=[summit.slug]) + "?token=" + do_ensure_agenda_feed(request.user)
        ),
    }
    return render(request, "partnering/my_meetings.html", context)


def meeting(request, slug, meeting_id):
    summit = access_summit(slug)
    found, side = services.access_meeting(request.user, meeting_id)
    if found.summit_id != summit.pk:
        raise NotFound(_("No such meeting."))
    context = {
        "summit": summit,
        "meeting": services.meeting_out(found, request.user),
        "is_party": side is not None,
        "panels": [html for html in meeting_page_panels.parts(request=request, summit=summit, meeting=found) if html],
    }
    return render(request, "partnering/meeting.html", context)


@require_POST
def meeting_action(request, slug, meeting_id, action):
    summit = access_summit(slug)
    target = Meeting(pk=meeting_id)
    try:
        if action == "accept":
            services.do_accept(request.user, target)
            messages.success(request, _("Meeting accepted. Its private room is open to both of you."))
        elif action == "decline":
            services.do_decline(request.user, target, request.POST.get("message", ""))
            messages.success(request, _("Meeting declined."))
        elif action == "cancel":
            services.do_cancel(request.user, target)
            messages.success(request, _("Meeting cancelled."))
        elif action == "propose":
            services.do_propose(
                request.user,
                target,
                _parse_instant(request.POST.get("starts_at")),
                request.POST.get("outside_hours_ok") == "on",
            )
            messages.success(request, _("New time proposed."))
        elif action == "video":
            services.do_set_video_url(request.user, target, request.POST.get("video_url", ""))
            messages.success(request, _("Video link saved."))
        else:
            raise NotFound(_("No such action."))
    except (Invalid, Conflict) as error:
        _report(request, error)
    return redirect("partnering-meeting", slug=summit.slug, meeting_id=meeting_id)


def meetings_feed(request, slug):
    """Per-person ICS of meetings, read with the same secret token as the agenda feed."""
    summit = access_summit(slug)
    user = access_agenda_feed(request.GET.get("token", ""))
    return HttpResponse(services.meetings_calendar(user, summit), content_type="text/calendar; charset=utf-8")


def organiser_dashboard(request, slug):
    summit = access_summit(slug)
    context = {"summit": summit, **services.dashboard(request.user, summit)}
    return render(request, "partnering/organiser.html", context)


def company_leads(request, slug, company_slug):
    summit = access_summit(slug)
    company = services.access_company_leads(request.user, summit, company_slug)
    named, anonymous = services.shared_leads(services.leads(summit, [company])[company.pk])
    context = {
        "summit": summit,
        "company": company,
        "leads": named,
        "anonymous": anonymous,
        "interested": services.company_interests(company),
        "member": services.is_member(request.user, company),
        "needs": NEEDS,
    }
    return render(request, "partnering/leads.html", context)


@require_POST
def interest(request, slug, company_slug):
    """The "Interested" button of company pages and pitch rooms (and withdrawing it), back to where it was."""
    summit = access_summit(slug)
    try:
        if request.POST.get("action") == "withdraw":
            services.do_withdraw_interest(request.user, summit, company_slug)
            messages.success(request, _("Your interest is withdrawn."))
        else:
            found = services.do_express_interest(request.user, summit, company_slug)
            messages.success(
                request, _("%(company)s will see that you are interested.") % {"company": found.company.name}
            )
    except Invalid as error:
        _report(request, error)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("company-detail", args=[summit.slug, company_slug])
    return redirect(back)


@require_POST
def answer_interest(request, slug, company_slug, profile_id):
    """A member answers "Interested" back and lands on the common slots with that person."""
    summit = access_summit(slug)
    services.do_answer_interest(request.user, summit, company_slug, profile_id)
    messages.success(request, _("You are both interested: pick a time to meet."))
    return redirect(reverse("partnering-introductions", args=[summit.slug]) + f"#intro-{company_slug}-{profile_id}")


OFFERED_SLOTS = 6


def introductions(request, slug):
    """Mutual interests with the common slots, each booked in one click; pending meetings with them, answered."""
    summit = access_summit(slug)
    services.access_partnering(request.user, summit)
    meetings = [services.meeting_out(m, request.user) for m in services.meetings_of(request.user, summit)]
    offers = []
    for intro in services.introductions(request.user, summit):
        me = services.access_acting_profile(request.user, summit, intro["as_company"])
        try:
            them = services.access_profile(request.user, summit, intro["profile_id"])
        except NotFound:  # their card is hidden: not bookable, even after mutual interest
            offers.append({**intro, "slots": [], "meetings": [], "hidden": True})
            continue
        slots, _common = services.common_slots(me, them, summit, 30)
        live = [
            m
            for m in meetings
            if m["with"]["profile"] == them.pk
            and m["you"]["profile"] == me.pk
            and m["status"] in ("requested", "accepted")
        ]
        offers.append(
            {
                **intro,
                "slots": [s for s in slots if not s["requested"]][:OFFERED_SLOTS],
                "meetings": live,
                "hidden": False,
            }
        )
    return render(request, "partnering/introductions.html", {"summit": summit, "offers": offers})


def company_leads_csv(request, slug, company_slug):
    summit = access_summit(slug)
    company = services.access_company_leads(request.user, summit, company_slug)
    rows = services.leads(summit, [company])[company.pk]
    return csv_response(services.leads_csv(rows), f"{company.slug}-leads.csv")


@require_POST
def contact_sharing(request, slug):
    """The company page's and the privacy page's control: share my contact with one company, or all of them."""
    summit = access_summit(slug)
    shared = request.POST.get("shared") == "1"
    company = request.POST.get("company")
    if company:
        services.do_set_contact_sharing(request.user, summit, companies={company: shared})
    else:
        services.do_set_contact_sharing(request.user, summit, everyone=shared)
    messages.success(request, _("Your choice is saved."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("summit-home", args=[summit.slug])
    return redirect(next_url)
