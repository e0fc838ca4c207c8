"""`{% judging_links summit %}`: the summit navigation's way to the jury pages, for whoever they are for.

Jurors get their pitches to score; a pitching company's members get their result once published.
Two or three read-only queries, only for signed-in people.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from judging import services

register = template.Library()


@register.inclusion_tag("judging/nav_links.html", takes_context=True)
def judging_links(context, summit):
    user = context["request"].user
    links = []
    if user.is_authenticated:
        if services.is_juror(user, summit):
            links.append((reverse("judging-pitches", args=[summit.slug]), _("Pitches to score")))
        if services.is_published(summit) and summit.companies.filter(members=user).exists():
            links.append((reverse("judging-company-result", args=[summit.slug]), _("Our jury result")))
    return {"links": links}
