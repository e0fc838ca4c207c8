"""Which fields people write in several languages, registered with django-modeltranslation.

Each field listed here gets one column per platform language (`title_en`, `title_fr`,
`title_zh_hans`), and `session.title` reads the active language's column. A missing
translation falls back to the main language of the summit being read (see
`events.i18n.summit_fallback`), then to `MODELTRANSLATION_FALLBACK_LANGUAGES`.
"""

from modeltranslation.translator import TranslationOptions, register

from events.i18n import SUMMIT_FALLBACK
from events.models import Company, Room, Session, Speaker, Summit, Track


class Translated(TranslationOptions):
    fallback_languages = SUMMIT_FALLBACK


@register(Summit)
class SummitTranslation(Translated):
    fields = ("name", "tagline", "description")


@register(Track)
class TrackTranslation(Translated):
    fields = ("name", "description")


@register(Room)
class RoomTranslation(Translated):
    fields = ("name", "description")


@register(Company)
class CompanyTranslation(Translated):
    fields = ("name", "tagline", "description")


@register(Speaker)
class SpeakerTranslation(Translated):
    fields = ("title", "bio")


@register(Session)
class SessionTranslation(Translated):
    fields = ("title", "description")
