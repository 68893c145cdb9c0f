"""What the public pages' templates (jinja2/) call for the exchange rates."""

from .summary import widget_summary

# The header's exchange rates (rates/widget.html): cached, so a page pays no query for
# them on a hit.
GLOBALS = {"rates_widget_summary": widget_summary}
