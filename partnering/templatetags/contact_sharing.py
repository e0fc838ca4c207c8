"""`{% contact_sharing_form summit company %}`: the visitor's choice to share their contact with a company.

A template tag, so pages of other apps (the company page) show the control without importing partnering.
"""

from django import template

from events.services import registration_for
from partnering.services import contact_sharing, interest_of

register = template.Library()


@register.inclusion_tag("partnering/_contact_sharing.html", takes_context=True)
def contact_sharing_form(context, summit, company):
    user = context["request"].user
    if not registration_for(user, summit):
        return {"show": False}
    choices = contact_sharing(user, summit)
    chosen = choices["companies"].get(company.slug)
    return {
        "show": True,
        "summit": summit,
        "company": company,
        "next": context["request"].get_full_path(),
        "shared": chosen if chosen is not None else bool(choices["summit"]),
        # Pressing "Interested" shows the company the person's contact whatever the sharing choice says.
        "interested": interest_of(user, summit, company) is not None,
        "csrf_token": context.get("csrf_token"),
    }
