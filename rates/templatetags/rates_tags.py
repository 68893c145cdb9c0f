from django import template

register = template.Library()


@register.inclusion_tag("rates/widget.html")
def rates_widget():
    return {"rates": []}
