"""Journey 4: the NBKR rates imported by the command show in the header of every page,
and the rates page draws its history chart."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from rates.models import Rate

from .helpers import public_pages

DAILY_FILE = Path(settings.BASE_DIR) / "tests" / "fixtures" / "nbkr" / "daily-2026-07-03.xml"

pytestmark = pytest.mark.usefixtures("demo")


def shown_rates(page) -> dict[str, Decimal]:
    widget = page.locator("header section[aria-labelledby=rates-widget-title]")
    rates = {}
    for item in widget.get_by_role("listitem").all():
        code = item.locator("abbr").inner_text().strip()
        value = item.locator(".rates-widget__value").inner_text().strip()
        rates[code] = Decimal(value.replace("\xa0", "").replace(" ", "").replace(",", "."))
    return rates


def test_imported_rates_show_on_every_page_and_the_rates_page_draws_its_chart(page):
    call_command("fetch_rates", f"--file={DAILY_FILE}", verbosity=0)
    today = timezone.localdate()
    expected = {
        code: Rate.objects.filter(currency__code=code, date__lte=today).latest("date").value
        for code in ("USD", "EUR", "RUB", "KZT", "CNY")
    }
    for language in ("ky", "ru"):
        for url in public_pages(language).values():
            page.goto(url)
            shown = shown_rates(page)
            assert set(shown) >= set(expected), f"{url}: widget shows {sorted(shown)}"
            for code, value in expected.items():
                # The widget rounds (USD 87.4500 -> 87.45); compare at the shown precision.
                places = -shown[code].as_tuple().exponent
                assert shown[code] == round(value, places), f"{url}: {code} {shown[code]}"

        page.goto(public_pages(language)["rates"])
        chart = page.get_by_role("img", name=re.compile(r"\bUSD\b"))
        chart.wait_for(state="visible")
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 50, box
        points = chart.locator("polyline").get_attribute("points").split()
        assert len(points) >= 2, points
