"""The programme's Celery tasks: thin, named, given ids, safe to run twice."""

import logging

from celery import shared_task

from events import invitations, signin

log = logging.getLogger(__name__)


@shared_task(name="events.send_signin_link")
def send_signin_link(link_id):
    log.info("sign-in link %s: %s", link_id, signin.do_send_signin_link(link_id))


@shared_task(name="events.send_invitation")
def send_invitation(summit_id, email, inviter_id):
    """Mails one invitation to register; a retried task may mail it twice, which harms nobody."""
    log.info("invitation to summit %s: %s", summit_id, invitations.do_mail_invitation(summit_id, email, inviter_id))
