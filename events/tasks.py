"""The programme's Celery tasks: thin, named, given ids, safe to run twice."""

import logging

from celery import shared_task

from events import signin

log = logging.getLogger(__name__)


@shared_task(name="events.send_signin_link")
def send_signin_link(link_id):
    log.info("sign-in link %s: %s", link_id, signin.do_send_signin_link(link_id))
