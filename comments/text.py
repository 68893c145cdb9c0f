"""Reading a comment the way its writer meant it to be read, whatever they did to hide it.

Stop words are matched in a folded copy of the text (never stored): Unicode NFKC,
invisible and direction characters removed, case folded, Latin and Greek look-alikes
turned into the Cyrillic letters they imitate, Kyrgyz letters into the Russian ones
people type without a Kyrgyz keyboard, spaced-out letters (`к а з и н о`) joined.
A stop word then matches as a word stem, so inflected Kyrgyz and Russian forms
(`казинодо`, `ставки`) are caught too.
"""

import re
import unicodedata
from functools import cache

import snowballstemmer

# Characters that draw nothing yet are not format characters (category Cf, removed too):
# Hangul and Braille fillers, a favourite for "empty" names.
BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"
# Embeddings, overrides and isolates: they reorder how the rest of the text is shown.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

LOOK_ALIKES = str.maketrans(
    {
        # Latin, after case folding (B, H, M, T, K pass through b, h, m, t, k).
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "k": "к",
        "m": "м",
        "n": "п",
        "o": "о",
        "p": "р",
        "r": "г",
        "t": "т",
        "u": "и",
        "x": "х",
        "y": "у",
        # Greek.
        "α": "а",
        "ε": "е",
        "κ": "к",
        "ο": "о",
        "ρ": "р",
        "τ": "т",
        "χ": "х",
        # Kyrgyz letters as typed on a Russian keyboard, and ё as е.
        "ө": "о",
        "ү": "у",
        "ң": "н",
        "ё": "е",
    }
)
LETTER = r"[^\W\d_]"
# Three or more single letters with one to three separators between them: `к а з и н о`,
# `к.а.з.и.н.о`, `к_а_з_и_н_о`. Two ("я и") are left alone: that is ordinary text.
SPACED_LETTERS_RE = re.compile(rf"(?<![^\W_]){LETTER}(?:[\W_]{{1,3}}{LETTER}(?![^\W_])){{2,}}")
VOWELS = frozenset("аеиоуыэюяё")
VOICED = {"к": "[кг]", "п": "[пб]"}
# Shorter stems than this would match far too many innocent words.
MIN_STEM = 4


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cf", "Mn") or char in BLANK_LETTERS


def strip_invisible(text: str) -> str:
    """`text` without format characters (zero-width, direction marks), blank fillers
    and combining marks left over after NFKC composed what it could."""
    return "".join(char for char in unicodedata.normalize("NFKC", text) if not is_invisible(char))


def has_bidi_controls(text: str) -> bool:
    return any(char in BIDI_CONTROLS for char in text)


def fold(text: str) -> str:
    """The text as stop words are matched in; see the module docstring."""
    folded = strip_invisible(text).casefold().translate(LOOK_ALIKES)
    folded = SPACED_LETTERS_RE.sub(lambda match: re.sub(r"[\W_]", "", match.group()), folded)
    return " ".join(folded.split())


@cache
def _stemmer():
    # Russian endings; Kyrgyz ones are suffixes, which the prefix match below covers.
    return snowballstemmer.stemmer("russian")


def _term(word: str) -> str:
    stem = _stemmer().stemWord(word)
    prefix = stem if len(stem) >= MIN_STEM else word if len(word) >= MIN_STEM else None
    if prefix is None:
        return re.escape(word)
    base, last = prefix[:-1], prefix[-1]
    if last not in VOWELS:
        # Russian drops or adds an о/е before a final consonant (ставка -> ставок,
        # заработок -> заработка); Kyrgyz voices a final к or п (китеп -> китеби).
        if base[-1:] in ("о", "е"):
            base = base[:-1]
        return re.escape(base) + "[ое]?" + VOICED.get(last, re.escape(last)) + r"\w*"
    return re.escape(prefix) + r"\w*"


@cache
def stop_word_pattern(word: str) -> re.Pattern | None:
    """The stop word (or phrase) as a pattern for `fold()`ed text; None if it folds to nothing."""
    terms = [_term(token) for token in fold(word).split()]
    if not terms:
        return None
    return re.compile(r"(?<!\w)" + r"[\W_]+".join(terms) + r"(?!\w)")
