"""What partnering adds to company pages and live rooms (events.signals, connected in apps.py).

Company pages and pitch rooms (the company pitching now, else the room's own): "Meet this company" and, for registered
people, "Interested" (private: only the company's team and the organisers see
who pressed it); the company's team gets the way to its interested people.
A private 1:1 meeting room: the meeting's agenda, video link and page.
"""

from django.template.loader import render_to_string

from events.models import Room
from events.services import is_organiser, registration_for
from partnering import services
from partnering.models import Meeting


def company_panel(request, summit, company, **signal):
    user = request.user
    registered = user.is_authenticated and registration_for(user, summit) is not None
    member = services.is_member(user, company)
    context = {
        "summit": summit,
        "company": company,
        "card": services.company_card(summit, company),
        "registered": registered,
        "member": member,
        "sees_interests": member or (user.is_authenticated and is_organiser(user, summit)),
        "interest": services.interest_of(user, summit, company) if registered and not member else None,
        "next": request.get_full_path(),
    }
    return render_to_string("partnering/_company_panel.html", context, request=request)


def room_panel(request, summit, room, session, **signal):
    if room.kind == Room.Kind.MEETING:
        return _meeting_panel(request, summit, room)
    # The company pitching now, whoever owns the room; between pitches, a pitch room's own company.
    company = session.company if session is not None and session.company_id else None
    company = company or (room.company if room.kind == Room.Kind.PITCH else None)
    return company_panel(request, summit, company) if company is not None else ""


def _meeting_panel(request, summit, room):
    meeting = Meeting.objects.filter(room=room).first()
    if meeting is None:
        return ""
    mine = services.meetings_of(request.user, summit).filter(pk=meeting.pk).first() or meeting
    context = {"summit": summit, "meeting": services.meeting_out(mine, request.user)}
    return render_to_string("partnering/_meeting_panel.html", context, request=request)
