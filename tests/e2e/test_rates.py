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

# Soms per unit in DAILY_FILE.
IMPORTED = {
    "USD": Decimal("87.4500"),
    "EUR": Decimal("99.8679"),
    "RUB": Decimal("1.1239"),
    "KZT": Decimal("0.1842"),
    "CNY": Decimal("12.8835"),
}

pytestmark = pytest.mark.usefixtures("demo")


def shown_rates(page) -> dict[str, Decimal]:
    widget = page.locator("header section[aria-labelledby=rates-widget-title]")
    rates = {}
    for item in widget.get_by_role("listitem").all():
        code = item.locator("abbr").inner_text().strip()
        value = item.locator(".rates-widget__value").inner_text().strip()
        rates[code] = Decimal(value.replace("\xa0", "").replace(" ", "").replace(",", "."))
    return rates


def test_imported_rates_show_on_every_page_and_the_rates_page_draws_its_chart(page, tmp_path):
    # The saved NBKR file, re-dated to today so its rates are the current ones.
    today = timezone.localdate()
    feed = tmp_path / "daily.xml"
    feed.write_bytes(
        DAILY_FILE.read_bytes().replace(b'Date="03.07.2026"', f'Date="{today:%d.%m.%Y}"'.encode())
    )
    call_command("fetch_rates", f"--file={feed}", verbosity=0)
    assert Rate.objects.filter(date=today, currency__code="USD").get().value == IMPORTED["USD"]

    for language in ("ky", "ru"):
        for url in public_pages(language).values():
            page.goto(url)
            shown = shown_rates(page)
            assert set(shown) >= set(IMPORTED), f"{url}: widget shows {sorted(shown)}"
            for code, value in IMPORTED.items():
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
