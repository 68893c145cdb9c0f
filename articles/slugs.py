"""ASCII slugs for Kyrgyz and Russian titles.

Django's slugify() drops Cyrillic letters altogether, and unidecode-style tables
do not know the Kyrgyz letters, so the table is ours: the usual Russian
romanisation plus ң → ng, ө → o, ү → u.
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

MAX_SLUG_LENGTH = 80


def transliterate(text: str) -> str:
    """Romanise Kyrgyz/Russian Cyrillic, keeping the case of each letter."""
    out = []
    for char in text:
        latin = CYRILLIC_TO_LATIN.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)


def slug_from_title(title: str, *, max_length: int = MAX_SLUG_LENGTH) -> str:
    """An ASCII slug for a title, cut at a word boundary."""
    slug = slugify(transliterate(title))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def unique_slug(base: str, *, taken) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever `taken(slug)` says is free."""
    base = base or "story"
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX_SLUG_LENGTH - len(suffix)] + suffix
    return candidate
