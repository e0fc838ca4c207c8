"""The calls' JSON API: translation between HTTP and calls.services, nothing more."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja.security import django_auth

from calls import services
from summit.schemas import Error, Input

router = Router(auth=django_auth, tags=["calls"])


class IceServerOut(Schema):
    urls: list[str] = Field(..., examples=[["turn:summit.example.org:3478?transport=udp"]])
    username: str | None = Field(None, description="TURN REST name: `expiry:user id`.")
    credential: str | None = Field(None, description="base64 HMAC-SHA1 of the name with the TURN server's secret.")


class CallOut(Schema):
    ice_servers: list[IceServerOut]
    expires_at: dt.datetime = Field(..., description="The TURN server refuses the credential after this.")


class ColleagueIn(Input):
    user_id: int


class SeatOut(Schema):
    user_id: int
    name: str


@router.get(
    "/meetings/{meeting_id}/call/",
    response={200: CallOut, 403: Error, 404: Error, 409: Error},
    exclude_none=True,
)
def call_credentials(request, meeting_id: int):
    """STUN/TURN on the platform's own TURN server with credentials that expire, for the people sitting in an
    accepted meeting that is not over; 403 anyone else (organisers too), 409 when the meeting has no call."""
    return services.call_credentials(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/colleagues/", response={200: list[SeatOut], 403: Error, 409: Error, 422: Error})
def add_colleague(request, meeting_id: int, payload: ColleagueIn):
    """A member of my company side sits in the meeting and its call too (at most 4 people in all)."""
    meeting = services.do_add_colleague(request.user, meeting_id, payload.user_id)
    return services.seats_of(meeting)


@router.delete("/meetings/{meeting_id}/colleagues/{user_id}/", response={200: list[SeatOut], 403: Error, 404: Error})
def remove_colleague(request, meeting_id: int, user_id: int):
    """The colleague leaves the meeting: their sockets in its room close."""
    meeting = services.do_remove_colleague(request.user, meeting_id, user_id)
    return services.seats_of(meeting)
