"""`{{ key|theme_name:summit }}`: a theme (stored by its key) in the reader's language."""

from django import template

from events.i18n import theme_label

register = template.Library()


@register.filter
def theme_name(key, summit):
    return theme_label(summit, key)
