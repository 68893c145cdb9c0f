from collections import defaultdict
from datetime import timedelta

from django.utils import timezone
from django.views.generic import TemplateView

from articles.views import PublicPageMixin

from .charts import line_chart
from .forms import ConverterForm
from .models import Rate
from .summary import rates_summary

HISTORY_DAYS = 30


class RatesView(PublicPageMixin, TemplateView):
    """Today's table (the widget's currencies, the others on demand), a month of history
    per shown currency, and a som converter. Currencies the bank no longer quotes are
    left out (rates.summary.DEFUNCT_AFTER_DAYS).

    Two queries whatever the number of currencies (the header widget adds its own on a
    cache miss). The page exists in every language, so the language switch keeps it.
    """

    template_name = "rates/rates_page.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = rates_summary(today=timezone.localdate(), shown_only=False)
        values = {row.code: row.value for row in summary.current_rows}
        converter = ConverterForm(
            self.request.GET if "amount" in self.request.GET else None, values=values
        )
        context |= {
            "summary": summary,
            "charts": self.charts(summary),
            "converter": converter,
            "result": converter.result() if converter.is_bound and converter.is_valid() else None,
        }
        return context

    def charts(self, summary):
        if summary.date is None:
            return []
        history = defaultdict(list)
        rates = (
            Rate.objects.of_shown_currencies()
            .on_or_before(summary.date)
            .filter(date__gt=summary.date - timedelta(days=HISTORY_DAYS))
            .values_list("currency__code", "date", "value")
        )
        for code, day, value in rates:
            history[code].append((day, value))
        return [
            {"row": row, "chart": line_chart(points=history[row.code])}
            for row in summary.shown_rows
            if history.get(row.code)
        ]
