"""Content in the reader's language: the rules around the fields registered in events/translation.py.

django-modeltranslation stores one column per language and reads the active
language's. What it cannot know on its own is which summit is being read, so
the summit's main language, the fallback for anything not yet translated, is
kept in a context variable that `summit_fallback` sets (for a block) or
`use_summit_fallback` sets (for the rest of a request; the middleware clears it).
"""

import contextvars
from collections.abc import Mapping
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from summit.errors import Invalid

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

_main_language = contextvars.ContextVar("summit_main_language", default=None)


class SummitFallback(Mapping):
    """modeltranslation's `fallback_languages`: the summit's main language first, then the configured order."""

    def __getitem__(self, key):
        if key != "default":
            raise KeyError(key)
        main = _main_language.get()
        configured = tuple(settings.MODELTRANSLATION_FALLBACK_LANGUAGES)
        return ((main,) if main else ()) + tuple(code for code in configured if code != main)

    def __iter__(self):
        return iter(("default",))

    def __len__(self):
        return 1


SUMMIT_FALLBACK = SummitFallback()


def use_summit_fallback(summit):
    """From now on in this request or task, untranslated text falls back to `summit`'s main language."""
    _main_language.set(summit.language)


def clear_summit_fallback():
    _main_language.set(None)


@contextmanager
def summit_fallback(summit):
    token = _main_language.set(summit.language)
    try:
        yield
    finally:
        _main_language.reset(token)


def column(field, language):
    """The column holding `field` in `language`: ("title", "zh-hans") -> "title_zh_hans"."""
    return build_localized_fieldname(field, language)


def translations(obj, field):
    """Every language's text of `field`, keyed by language code, empty strings for what is missing."""
    return {code: getattr(obj, column(field, code)) or "" for code in LANGUAGE_CODES}


def text_in(obj, field, language, main_language):
    """`field` in `language`, else the main language, else the first language that has it."""
    values = translations(obj, field)
    order = (language, main_language) + tuple(settings.MODELTRANSLATION_FALLBACK_LANGUAGES)
    for code in order:
        if values.get(code):
            return values[code]
    return ""


def check_translations(value, field, main_language, *, max_length=None):
    """A string (the main language) or {language code: text}, as the API accepts; returns {code: text}."""
    if isinstance(value, str):
        value = {main_language: value}
    if not isinstance(value, dict):
        raise Invalid(_("%(field)s must be a string or an object keyed by language code.") % {"field": field})
    unknown = sorted(code for code in value if code not in LANGUAGE_CODES)
    if unknown:
        raise Invalid(
            _("%(field)s: unknown language %(unknown)s; use %(codes)s.")
            % {"field": field, "unknown": ", ".join(unknown), "codes": ", ".join(LANGUAGE_CODES)}
        )
    cleaned = {}
    for code, text in value.items():
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise Invalid(_("%(field)s in %(code)s must be a string.") % {"field": field, "code": code})
        if max_length is not None and len(text) > max_length:
            raise Invalid(
                _("%(field)s in %(code)s is longer than %(max)d characters.")
                % {"field": field, "code": code, "max": max_length}
            )
        cleaned[code] = text
    return cleaned


def set_translations(obj, field, texts):
    """Writes the given languages' columns of `field`; languages not given keep their text."""
    for code, text in texts.items():
        setattr(obj, column(field, code), text)


def check_language_code(code):
    if code not in LANGUAGE_CODES:
        raise Invalid(
            _("Unknown language “%(code)s”; use %(codes)s.") % {"code": code, "codes": ", ".join(LANGUAGE_CODES)}
        )
    return code


def requested_language(request):
    """`?lang=`, else the signed-in person's saved language, else Accept-Language (or the switcher's
    cookie); None when the reader said nothing."""
    requested = request.GET.get("lang")
    if requested is not None:
        return check_language_code(requested)
    user = getattr(request, "user", None)
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    if profile is not None and profile.language in LANGUAGE_CODES:
        return profile.language
    if request.META.get("HTTP_ACCEPT_LANGUAGE") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return translation.get_language_from_request(request)
    return None


def reader_language(request, main_language):
    """The reader's language (`requested_language`), else the summit's main language."""
    return requested_language(request) or main_language


def localized(obj, fields, language, main_language, *, prefix=""):
    """For the API: each field as text in `language` and whole under `<field>_i18n`."""
    out = {}
    for field in fields:
        out[prefix + field] = text_in(obj, field, language, main_language)
        out[prefix + field + "_i18n"] = translations(obj, field)
    return out


# --- Themes: a summit's list of stable keys, each with a label per language --------------------


def theme_label(summit, key, language=None):
    """The theme `key` in `language` (the active one by default), else the main language, else its key."""
    names = (summit.theme_names or {}).get(key) or {}
    for code in (language or translation.get_language(), summit.language, *LANGUAGE_CODES):
        if names.get(code):
            return names[code]
    return key


def theme_labels(summit, keys=None, language=None):
    """[(key, label), ...] of `keys` (the summit's themes by default), in order, in the reader's language."""
    return [(key, theme_label(summit, key, language)) for key in (summit.themes if keys is None else keys)]


def theme_key(summit, text):
    """The key of the theme `text` names: its key, or its label in any language; None if none does."""
    if text in summit.themes:
        return text
    for key in summit.themes:
        if text in ((summit.theme_names or {}).get(key) or {}).values():
            return key
    return None
