"""Restream targets: the media server relays a room's original stream to them, unchanged, while it is live.

Organisers only; targets and their keys are shown to nobody else. They become `push` lines in the media
server's configuration (stage/services/mediaconfig.py), so a URL or key may hold no nginx syntax.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from events.services import check_organiser
from stage.models import RestreamTarget
from stage.services import mediaconfig
from summit.errors import Invalid, NotFound

URL_PATTERN = re.compile(r"rtmp://[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?(/[A-Za-z0-9._~\-/]*)?")
KEY_PATTERN = re.compile(r"[A-Za-z0-9._~\-?=&%+/:]*")
MAX_TARGETS = 5


def check_restream_target(url, stream_key):
    url = (url or "").strip() if isinstance(url, str) else ""
    stream_key = (stream_key or "").strip() if isinstance(stream_key, str) else ""
    if len(url) > 300 or not URL_PATTERN.fullmatch(url):
        raise Invalid(_("The target must be an rtmp:// address, such as rtmp://live-push.bilivideo.com/live-bvc."))
    if len(stream_key) > 300 or not KEY_PATTERN.fullmatch(stream_key):
        raise Invalid(_("The stream key may hold letters, digits and . _ ~ - ? = & % + / : only."))
    return url, stream_key


def restream_targets(user, room):
    check_organiser(user, room.summit)
    return [target_view(target) for target in RestreamTarget.objects.filter(room=room)]


def target_view(target):
    return {"id": target.pk, "url": target.url, "stream_key": target.stream_key}


def do_add_restream_target(user, room, url, stream_key):
    check_organiser(user, room.summit)
    url, stream_key = check_restream_target(url, stream_key)
    if RestreamTarget.objects.filter(room=room).count() >= MAX_TARGETS:
        raise Invalid(_("A room relays to %(max)d targets at most.") % {"max": MAX_TARGETS})
    with transaction.atomic():
        target = RestreamTarget.objects.create(room=room, url=url, stream_key=stream_key)
        transaction.on_commit(mediaconfig.write_config)
    return target_view(target)


def do_remove_restream_target(user, room, target_id):
    check_organiser(user, room.summit)
    with transaction.atomic():
        deleted, _rows = RestreamTarget.objects.filter(room=room, pk=target_id).delete()
        if not deleted:
            raise NotFound(_("No such restream target in this room."))
        transaction.on_commit(mediaconfig.write_config)
