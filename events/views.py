"""Server-rendered pages. Each view parses, checks permission through a service, renders."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events import i18n, schedule_cache, services
from events import signin as signin_links
from events.calendar import agenda_calendar, build_calendar
from events.middleware import TZ_COOKIE
from events.signals import company_page_panels
from summit.errors import Invalid, NotFound
from summit.throttling import check_registration_attempt, check_signin_attempt, check_signin_link_request

# "Now and next" at the top of the schedule: what is on, and what starts within this long.
NOW_AND_NEXT = dt.timedelta(hours=12)


def _page_timezone(request):
    """?tz= for this page (and remembered in a cookie), else the person's or browser's zone."""
    requested = request.GET.get("tz")
    if requested:
        return services.check_timezone(requested), requested
    return timezone.get_current_timezone(), None


def _with_tz_cookie(response, tz_name):
    if tz_name:
        response.set_cookie(TZ_COOKIE, tz_name, max_age=365 * 24 * 3600, samesite="Lax", secure=settings.HTTPS)
    return response


def summit_list(request):
    summits = services.published_summits()
    return render(request, "events/summit_list.html", {"summits": summits})


def summit_home(request, slug):
    summit = services.access_summit(slug)
    context = {
        "summit": summit,
        "rooms": services.listed_rooms(summit),
        "companies": summit.companies.all(),
        "now_and_next": services.now_and_next(services.upcoming_sessions(summit), upcoming=6),
        "registration": services.registration_for(request.user, summit),
        "is_organiser": services.is_organiser(request.user, summit),
    }
    return render(request, "events/summit_home.html", context)


def schedule(request, slug):
    """The grid of a visitor who cannot bookmark is the same for all: built once per zone, language and
    minute (it marks what is live and what is over)."""
    summit = services.access_summit(slug)
    tz, tz_param = _page_timezone(request)
    if tz_param:
        request.timezone_source = "page"
    registration = services.registration_for(request.user, summit)
    now = timezone.now()
    with timezone.override(tz):
        context = {
            "summit": summit,
            "tz_name": str(tz),
            "timezones": sorted(set(services.COMMON_TIMEZONES) | {str(tz), summit.timezone}),
            "registration": registration,
        }
        if registration is None:
            context["grid"] = mark_safe(
                schedule_cache.document(  # noqa: S308  (our own template's output)
                    "page-grid",
                    summit.slug,
                    f"{tz}@{now:%Y%m%d%H%M}",
                    get_language(),
                    lambda: render_to_string(
                        "events/schedule_days.html",
                        {
                            "summit": summit,
                            "registration": None,
                            **_schedule_days(summit, tz, now),
                        },
                    ),
                )
            )
        else:
            context.update(_schedule_days(summit, tz, now))
            context["bookmarked"] = services.bookmarked_ids(request.user, summit)
        response = render(request, "events/schedule.html", context)
    return _with_tz_cookie(response, tz_param)


def _schedule_days(summit, tz, now):
    days = services.schedule_days(summit, tz)
    sessions = (s for day in days for s in day["sessions"])
    return {"days": days, "now_and_next": services.now_and_next(sessions, now, within=NOW_AND_NEXT)}


def session_detail(request, slug, session_id):
    summit = services.access_summit(slug)
    session = services.access_session(session_id)
    if session.summit_id != summit.pk:
        raise NotFound(_("No such session."))
    context = {
        "summit": summit,
        "session": session,
        "speakers": session.speakers.all(),
        "bookmarked": services.bookmarked_ids(request.user, summit),
        "registration": services.registration_for(request.user, summit),
        "summit_tz": zoneinfo.ZoneInfo(summit.timezone),
    }
    return render(request, "events/session_detail.html", context)


def company_detail(request, slug, company_slug):
    summit = services.access_summit(slug)
    company = services.access_company(summit, company_slug)
    context = {
        "summit": summit,
        "company": company,
        "pitches": services.company_pitches(summit, company),
        "rooms": company.rooms.all(),
        "speakers": company.speakers.all(),
        "panels": [html for html in company_page_panels.parts(request=request, summit=summit, company=company) if html],
    }
    return render(request, "events/company_detail.html", context)


@require_POST
def toggle_bookmark(request, slug, session_id):
    summit = services.access_summit(slug)
    session = services.access_session(session_id)
    services.check_registered(request.user, summit)
    if request.POST.get("action") == "remove":
        services.do_unbookmark(request.user, session)
    else:
        services.do_bookmark(request.user, session)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("my-agenda", args=[summit.slug])
    return redirect(next_url)


def my_agenda(request, slug):
    summit = services.access_summit(slug)
    services.check_registered(request.user, summit)
    context = {
        "summit": summit,
        "sessions": services.agenda(request.user, summit),
        "feed_url": request.build_absolute_uri(
            reverse("agenda-feed", args=[services.do_ensure_agenda_feed(request.user)])
        ),
    }
    return render(request, "events/my_agenda.html", context)


def schedule_feed(request, slug):
    """In `?lang=`, else the reader's language, else the summit's main language (calendar apps send none)."""
    summit = services.access_summit(slug)
    with translation.override(i18n.reader_language(request, summit.language)):
        body = build_calendar(summit.name, services.visible_sessions(summit).select_related("summit"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def agenda_feed(request, token):
    """In `?lang=`, else the feed owner's saved language: their calendar app fetches it without them."""
    user = services.access_agenda_feed(token)
    language = request.GET.get("lang")
    language = i18n.check_language_code(language) if language is not None else services.profile_for(user).language
    with translation.override(language):
        body = agenda_calendar(_("My agenda"), user, services.agenda(user))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_http_methods(["GET", "POST"])
def register(request, slug):
    summit = services.access_summit(slug)
    if request.user.is_authenticated:
        # A signed-in person joins with one button: looking at this page registers nobody.
        if request.method == "POST":
            services.do_join_summit(request.user, summit)
        if request.method == "POST" or services.registration_for(request.user, summit):
            return redirect("summit-home", slug=summit.slug)
        return render(request, "events/register.html", {"summit": summit, "join": True})
    form = {"timezone": "", "language": translation.get_language()}
    next_url = _safe_next(request)
    if request.method == "POST":
        form = {
            key: request.POST.get(key, "")
            for key in ("name", "email", "organisation", "country", "timezone", "language")
        }
        check_registration_attempt(request, form["email"])
        try:
            user, created = services.do_register(summit, services.RegistrationForm(**form))
        except Invalid as error:
            messages.error(request, error.detail)
        else:
            if created:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome! You are registered for %(summit)s.") % {"summit": summit.name})
                return redirect(next_url or reverse("schedule", args=[summit.slug]))
            return render(request, "events/check_your_email.html", {"summit": summit}, status=202)
    context = {
        "summit": summit,
        "form": form,
        "languages": settings.LANGUAGES,
        "timezones": services.COMMON_TIMEZONES,
        "next": next_url or "",
    }
    return render(request, "events/register.html", context, status=422 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def signin(request):
    """Attendees ask for a mailed link; organisers may sign in with a password."""
    if request.method == "POST":
        if request.POST.get("password"):
            check_signin_attempt(request, request.POST.get("username", ""))
            user = authenticate(
                request, username=request.POST.get("username", ""), password=request.POST.get("password", "")
            )
            if user is not None:
                login(request, user)
                return redirect(_safe_next(request) or "summit-list")
            messages.error(request, _("Wrong username or password."))
        else:
            check_signin_link_request(request)
            email = request.POST.get("email", "").strip().lower()
            user = services.User.objects.filter(email__iexact=email, is_active=True).first() if email else None
            if user is not None:
                services.do_request_signin_link(user)
            return render(request, "events/check_your_email.html", {}, status=202)
    next_url = _safe_next(request) or ""
    return render(request, "events/signin.html", {"next": next_url, "summit": _summit_of(next_url)})


def _summit_of(path):
    """The published summit a sign-in was asked from (a room, a session...), so newcomers can register there."""
    try:
        match = resolve(path.split("?", 1)[0].split("#", 1)[0]) if path else None
    except Resolver404:
        return None
    slug = match.kwargs.get("slug") if match else None
    return services.published_summits().filter(slug=slug).first() if slug else None


def _safe_next(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return None


@require_http_methods(["GET", "POST"])
def signin_link(request, token):
    """GET shows a button and POST signs in, so mail scanners that follow links sign nobody in."""
    if request.method == "POST":
        user, summit = signin_links.do_use_signin_link(token)
        login(request, user)
        if summit is not None:
            services.do_join_summit(user, summit)
            return redirect("summit-home", slug=summit.slug)
        return redirect("summit-list")
    link = signin_links.access_signin_link(token)
    return render(request, "events/signin_link.html", {"who": services.profile_for(link.user), "summit": link.summit})


@require_POST
def signout(request):
    logout(request)
    return redirect("summit-list")


@require_http_methods(["GET", "POST"])
def preferences(request):
    """Saves the time zone and language a person chose: in cookies, and by POST on a signed-in person's profile.

    A visitor who is not signed in chooses by GET: a cookie is all it sets, and their pages then need no
    CSRF token. A GET never writes a profile, so a forged link can at most change a display choice.
    """
    chosen = request.POST if request.method == "POST" else request.GET
    tz_name = chosen.get("timezone") or None
    language = chosen.get("language") or None
    if tz_name:
        services.check_timezone(tz_name)
    if language:
        services.check_language(language)
    if request.user.is_authenticated and request.method == "POST":
        services.do_update_preferences(request.user, timezone_name=tz_name, language=language)
    response = redirect(_safe_next(request) or "summit-list")
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return _with_tz_cookie(response, tz_name)


def organiser_dashboard(request, slug):
    summit = services.access_summit(slug)
    sessions, registrations = services.organiser_overview(request.user, summit)
    context = {
        "summit": summit,
        "sessions": sessions,
        "registrations": registrations,
        "summit_tz": zoneinfo.ZoneInfo(summit.timezone),
    }
    return render(request, "events/organiser_dashboard.html", context)
