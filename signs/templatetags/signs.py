"""The warning-sign count in every vendor page's header (UX.md), one query."""

from django import template

from signs import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def open_signs_count(context, vendor) -> int:
    return selectors.signs_count(context["user"], vendor)
