"""Reactions: emoji counted per room, flushed in batches by the hub."""

import unicodedata

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from events.models import Room
from events.services import (
    live_session,
)
from livechat.models import (
    ReactionTally,
)
from summit.errors import Invalid


def check_emoji(emoji):
    """An emoji (with its modifiers), nothing else: reactions are not a second chat."""
    if not isinstance(emoji, str) or not 0 < len(emoji) <= 8:
        raise Invalid(_("emoji must be one emoji."))
    categories = [unicodedata.category(char) for char in emoji]
    if "So" not in categories or any(c not in ("So", "Sk", "Mn", "Me", "Cf") for c in categories):
        raise Invalid(_("emoji must be one emoji."))
    return emoji


def do_count_reactions(room_id, counts):
    """Add a window's reaction clicks to the totals kept for reports."""
    session = live_session(Room(pk=room_id))
    with transaction.atomic():
        for emoji, count in counts.items():
            tally, _created = ReactionTally.objects.get_or_create(room_id=room_id, session=session, emoji=emoji)
            ReactionTally.objects.filter(pk=tally.pk).update(count=F("count") + count)
