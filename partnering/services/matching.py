"""Suggested partners: what two profiles have in common, scored and explained."""

from django.utils.translation import gettext as _

from events.i18n import theme_label
from events.models import Company
from partnering.models import NEEDS
from partnering.services.profiles import access_partnering, profiles


def need_label(code):
    return str(NEEDS.get(code, code))


def suggestions(user, summit):
    """Visible profiles ranked by what the two sides have in common, each with its reasons.

    Score: 3 per need you seek that they offer, 2 per need they seek that you
    offer, 1 per shared theme. Ties by name then id, so the order never
    wavers. Profiles with nothing in common are left out, as are your own and
    your companies'.
    """
    me = access_partnering(user, summit)
    mine = set(Company.objects.filter(summit=summit, members=user).values_list("pk", flat=True))
    ranked = []
    for other in profiles(summit).filter(visible=True).exclude(pk=me.pk):
        if other.company_id in mine:
            continue
        score, reasons = match(me, other)
        if score:
            ranked.append((other, score, reasons))
    ranked.sort(key=lambda item: (-item[1], item[0].name.lower(), item[0].pk))
    return ranked


def match(me, other):
    score, reasons = 0, []
    for need in [n for n in me.seeks if n in other.offers]:
        score += 3
        reasons.append(_("you seek %(need)s, they offer it") % {"need": need_label(need)})
    for need in [n for n in other.seeks if n in me.offers]:
        score += 2
        reasons.append(_("they seek %(need)s, you offer it") % {"need": need_label(need)})
    for theme in [t for t in me.themes if t in other.themes]:
        score += 1
        reasons.append(_("both in %(theme)s") % {"theme": theme_label(me.summit, theme)})
    return score, reasons
