"""What the call tells the other side, as a notice source of the scheduler (registered in apps.py).

`waiting`: someone is the first in the call; the people not in it hear it
in-app at once (live on their open pages), without a mail. `not_joined`:
three minutes after the start, those who never joined get it by mail too.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from calls import services
from events.calendar import site_url
from partnering.models import Meeting


class CallNotices:
    name = "call"

    def recipients(self, target_id, change, actor_id):
        return services.waiting_notice_recipients(target_id, actor_id, mail_only=change == "not_joined")

    def describe(self, target_id, change, user):
        meeting = Meeting.objects.select_related("summit", "room").filter(pk=target_id).first()
        if meeting is None or meeting.room is None:
            return None
        url = reverse("room", args=[meeting.summit.slug, meeting.room.slug])
        return {
            "title": _("%(name)s is waiting in the meeting room") % {"name": services.waiting_name(target_id)},
            "body": _("Open the meeting room and press “Join the call”."),
            "url": url,
            "link": site_url(url),
            "mail": change == "not_joined",
        }
