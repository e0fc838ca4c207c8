"""Mailed sign-in links: sent by a worker, good once, void once a newer one is sent or the person signs in.

Tokens are django-sesame's (SESAME_ONE_TIME: a token is signed over the person's last login, so
signing in by any means voids every earlier link; SESAME_MAX_AGE dates it; each is scoped to its
link). `SigninLink` holds the digest of the one token that may be used now, so asking again voids
the previous mail at once.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from sesame.utils import get_token, get_user

from events.models import Profile, SigninLink
from summit.errors import Invalid

SCOPE = "events.signin-link"
User = get_user_model()


def _refused():
    """The one answer for a link that cannot be used, whatever the reason: it tells a guesser nothing."""
    return Invalid(_("This sign-in link is invalid, was replaced by a newer one, or has expired. Ask for a new one."))


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _scope(link):
    """Each link its own sesame scope: two links asked for within one second still differ."""
    return f"{SCOPE}:{link.pk}"


def do_send_signin_link(link_id):
    """Mails the link `link_id` stands for, in the person's language; nothing once it was replaced or sent.

    Returns what happened, for the worker's log. Runs in a worker (events.tasks), never in a request.
    """
    link = SigninLink.objects.select_related("user", "summit").filter(pk=link_id).first()
    if link is None:
        return "replaced"
    if link.sent_at is not None:
        return "already sent"
    user, summit = link.user, link.summit
    token = get_token(user, scope=_scope(link))
    if not SigninLink.objects.filter(pk=link.pk, sent_at__isnull=True).update(token_digest=_digest(token)):
        return "replaced"
    profile = Profile.objects.filter(user=user).first()
    url = settings.SITE_URL.rstrip("/") + reverse("signin-link", args=[token])
    with translation.override(profile.language if profile else settings.LANGUAGE_CODE):
        context = {"name": profile.name if profile else user.get_username(), "link": url, "summit": summit}
        send_mail(
            subject=_("Your sign-in link"),
            message=render_to_string("email/signin_link.txt", context),
            html_message=render_to_string("email/signin_link.html", context),
            from_email=None,
            recipient_list=[user.email],
        )
    # Marked after the mail left: a worker that dies in between sends a fresh link, which voids this one.
    SigninLink.objects.filter(pk=link.pk).update(sent_at=timezone.now())
    return "sent"


def access_signin_link(token):
    """The link `token` was mailed as, if it is still the person's current, unexpired, unused one."""
    link = SigninLink.objects.select_related("summit").filter(token_digest=_digest(token)).first()
    user = None
    if link is not None:
        user = get_user(token, scope=_scope(link), max_age=settings.SIGNIN_LINK_MAX_AGE, update_last_login=False)
    if user is None or user.pk != link.user_id or not user.is_active:
        raise _refused()
    link.user = user  # carries the sesame backend that login() needs
    return link


def do_use_signin_link(token):
    """Spends the link and returns `(user, summit)` to sign in; signing in then voids any other token."""
    link = access_signin_link(token)
    deleted, _rows = SigninLink.objects.filter(pk=link.pk, token_digest=link.token_digest).delete()
    if not deleted:  # a second click racing the first
        raise _refused()
    return link.user, link.summit
