"""A person's data over the API: `GET /api/me/export/` and `DELETE /api/me/`."""

from django.contrib.auth import logout
from ninja import Field, Router, Schema
from ninja.security import django_auth

from privacy import services
from summit.schemas import Input

router = Router(auth=django_auth, tags=["privacy"])


class Detail(Schema):
    detail: str


class DeletionIn(Input):
    confirm: str = Field(..., max_length=254, description="Your email address (your username if you have none).")


@router.get("/me/export/", response=dict)
def export(request):
    """Everything the platform holds about you: profile, registrations, agenda, chat messages, questions,
    room visits, meetings, partnering profiles and contact-sharing choices."""
    return services.export(request.user)


@router.delete("/me/", response={200: Detail, 403: Detail})
def delete_account(request, payload: DeletionIn):
    """Deletes your account once you type your email: no password needed, as for link-signed-in people."""
    services.do_delete_account(request.user, payload.confirm)
    logout(request)
    return {"detail": "Your account is deleted."}
