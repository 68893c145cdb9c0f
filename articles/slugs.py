"""ASCII slugs for Kyrgyz and Russian titles, one table per language.

Django's slugify() drops Cyrillic letters altogether, and unidecode-style tables
do not know the Kyrgyz letters, so the tables are ours:

- Kyrgyz (`ky`): the usual Russian romanisation plus ң → ng, ө → o, ү → u, the
  table the site has always used, so Kyrgyz addresses stay as they are.
- Russian (`ru`): ICAO Doc 9303 (Machine Readable Travel Documents, part 3,
  "Transliteration of Cyrillic characters"), the scheme of Russian passports
  since 2014. Letters only, no apostrophes or diacritics, so every letter survives
  slugify(). Kyrgyz letters in a Russian title (names) use the Kyrgyz table.

See docs/urls.md.
"""

from django.utils.text import slugify

CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "ң": "ng", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip

# ICAO Doc 9303, 7th edition (2015), part 3, section 6, table for Russian.
ICAO_9303_RUSSIAN = CYRILLIC_TO_LATIN | {
    "ё": "e", "й": "i", "х": "kh", "ц": "ts", "щ": "shch", "ъ": "ie", "ю": "iu",
    "я": "ia",
}  # fmt: skip

TABLES = {"ky": CYRILLIC_TO_LATIN, "ru": ICAO_9303_RUSSIAN}

MAX_SLUG_LENGTH = 80


def transliterate(text: str, *, language: str = "ky") -> str:
    """Romanise Cyrillic by `language`'s table, keeping the case of each letter."""
    table = TABLES[language]
    out = []
    for char in text:
        latin = table.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)


def slug_from_title(title: str, *, language: str = "ky", max_length: int = MAX_SLUG_LENGTH) -> str:
    """An ASCII slug for a title in `language`, cut at a word boundary."""
    slug = slugify(transliterate(title, language=language))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def unique_slug(base: str, *, taken, fallback: str = "story") -> str:
    """`base`, or `base-2`, `base-3`, ... whichever `taken(slug)` says is free."""
    base = base or fallback
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX_SLUG_LENGTH - len(suffix)] + suffix
    return candidate
