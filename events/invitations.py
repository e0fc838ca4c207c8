"""Inviting someone to register for a summit, by mail, when an organiser names an address that is not registered.

The organiser's answer is the same whether the address has an account or not (so naming people cannot
probe accounts), and so is the mail: a link to the summit's registration page. Runs in a worker
(events.tasks), never in a request.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from events.models import Profile, Summit


def do_mail_invitation(summit_id, email, inviter_id):
    """Mails `email` an invitation to register for the summit, in the summit's language; returns what happened."""
    summit = Summit.objects.filter(pk=summit_id).first()
    if summit is None:
        return "no summit"
    inviter = Profile.objects.filter(user_id=inviter_id).first()
    inviter_name = inviter.name if inviter else get_user_model().objects.get(pk=inviter_id).get_username()
    link = settings.SITE_URL.rstrip("/") + reverse("summit-home", args=[summit.slug])
    with translation.override(summit.language or settings.LANGUAGE_CODE):
        context = {"summit": summit, "inviter": inviter_name, "link": link}
        send_mail(
            subject=_("You are invited to %(summit)s") % {"summit": summit.name},
            message=render_to_string("email/invitation.txt", context),
            html_message=render_to_string("email/invitation.html", context),
            from_email=None,
            recipient_list=[email],
        )
    return "sent"
