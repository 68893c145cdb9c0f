from django import template

from ..summary import widget_summary

register = template.Library()


@register.inclusion_tag("rates/widget.html")
def rates_widget():
    """The header's exchange rates: cached, so a page pays no query for them on a hit."""
    return {"summary": widget_summary()}
