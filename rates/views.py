from django.views.generic import TemplateView


class RatesView(TemplateView):
    template_name = "rates/rates_page.html"
