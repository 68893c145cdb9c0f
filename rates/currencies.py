"""Kyrgyz and Russian names of the currencies the National Bank quotes.

The feed carries only ISO codes; a currency first seen by the import (or the demo) gets
its names, order and visibility from here; editors change them in the admin afterwards.
"""

NAMES: dict[str, tuple[str, str]] = {
    "USD": ("АКШ доллары", "Доллар США"),
    "EUR": ("Евро", "Евро"),
    "RUB": ("Орус рубли", "Российский рубль"),
    "KZT": ("Казак теңгеси", "Казахстанский тенге"),
    "CNY": ("Кытай юаны", "Китайский юань"),
    "GBP": ("Англис фунт стерлинги", "Фунт стерлингов"),
    "CHF": ("Швейцар франкы", "Швейцарский франк"),
    "JPY": ("Япон иенасы", "Японская иена"),
    "TRY": ("Түрк лирасы", "Турецкая лира"),
    "UZS": ("Өзбек суму", "Узбекский сум"),
    "TJS": ("Тажик сомониси", "Таджикский сомони"),
    "KRW": ("Корей вонасы", "Южнокорейская вона"),
    "INR": ("Индия рупиясы", "Индийская рупия"),
    "AED": ("БАЭ дирхамы", "Дирхам ОАЭ"),
    "XDR": ("Атайын карыз алуу укугу (СДР)", "Специальные права заимствования (СДР)"),
}


# What the header shows on a fresh install, in this order; editors change it in the admin.
DEFAULT_SHOWN = ("USD", "EUR", "RUB", "KZT", "CNY")


def new_currency_fields(code: str) -> dict:
    """Names, order and visibility for a currency seen for the first time."""
    name_ky, name_ru = NAMES.get(code, ("", ""))
    shown = code in DEFAULT_SHOWN
    return {
        "name_ky": name_ky,
        "name_ru": name_ru,
        "is_shown": shown,
        "position": DEFAULT_SHOWN.index(code) + 1 if shown else 100,
    }
