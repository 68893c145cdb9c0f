"""A light suffix-stripping stemmer for Kyrgyz, written for the story search.

No Kyrgyz stemmer exists in PostgreSQL, Snowball, Hunspell or PyPI, so this one
follows the inflectional morphology as the standard descriptions give it
(Грамматика киргизского литературного языка, ч. 1: Фонетика и морфология,
Фрунзе: Илим, 1987; R. Hebert and N. Poppe, *Kirghiz Manual*, Indiana
University, 1963; the affix tables of Apertium's Kyrgyz transducer
`apertium-kir`):

* A noun is a root followed, in this order, by a plural, a possessive, a case
  ending and a person/predicate ending (`-мын`, `-сың`, `-быз`, `-сыз`);
  verbs carry tense and converb endings (`-ган`, `-ып`, `-ды`, `-йт`), and a
  participle in -ган is declined like a noun.
* Every suffix agrees with the root:
  - vowel harmony: its low vowel is а after а/ы/у, о after о, е after е/и,
    ө after ө/ү (`шаарлар`, `тоолор`, `жерлер`, `үйлөр`, `окуучулар`); its high
    vowel is ы after а/ы, у after о/у, и after е/и, ү after ө/ү;
  - its first consonant follows the sound it is added to: after a vowel the
    plural is `-лар`, the genitive `-нын`, the dative `-га`; after a voiced
    consonant `-дар`, `-дын`, `-га`; after a voiceless one `-тар`, `-тын`,
    `-ка` (`мектептер`, `Бишкекке`).
* After a 3rd person possessive the case endings take an `н`
  (`атасында`, `окуучуларынан`, `мектебинде`).
* A final п or к voices to б or г before a vowel (`мектеп` → `мектеби`).

The stemmer strips, right to left and at most once per slot, a predicate
ending, a case ending, a possessive and a plural, then a verb ending, and cuts
a suffix only when its vowel and consonant agree with what is left and what is
left is a plausible root (two letters or more, with a vowel). It leaves alone
what it cannot tell apart from a root: a bare possessive vowel (`колу`), the
present `-ат/-ет` (`мамлекет`), a bare `-м` (`адам`). Stems are index keys,
not words to show: they are lower-cased and a final б/г is written п/к so
`мектеби` and `мектеп` meet.
"""

import re
from collections.abc import Iterator
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")

VOWELS = set("аыоуэеиөүяёю")
VOICELESS = set("кпстфхцчшщ")
# Sounds after which the plural starts with л rather than д.
PLURAL_L = set("рй")

# The vowel a suffix takes after each last vowel of the root.
LOW = {"а": "а", "ы": "а", "у": "а", "я": "а", "ю": "а", "о": "о", "ё": "о"}
LOW |= {"е": "е", "и": "е", "э": "е", "ө": "ө", "ү": "ө"}
HIGH = {"а": "ы", "ы": "ы", "я": "ы", "о": "у", "у": "у", "ё": "у", "ю": "у"}
HIGH |= {"е": "и", "и": "и", "э": "и", "ө": "ү", "ү": "ү"}

MIN_STEM = 2
# Root endings that look like suffixes: Кыргызстан is not Кыргызс + ablative -тан.
ROOT_ENDINGS = ("стан",)


def _last_vowel(stem: str) -> str | None:
    for letter in reversed(stem):
        if letter in VOWELS:
            return letter
    return None


def _sound(stem: str) -> str:
    """What a suffix's first consonant depends on: 'V'owel, 'T' voiceless, 'D' voiced."""
    last = stem[-1]
    if last in VOWELS:
        return "V"
    if last in VOICELESS:
        return "T"
    return "D"


# Onset consonants by the sound before them: vowel, voiced, voiceless.
ONSETS = {
    "L": {"V": "л", "D": "д", "T": "т"},  # plural
    "D": {"V": "д", "D": "д", "T": "т"},  # locative, ablative, past
    "G": {"V": "г", "D": "г", "T": "к"},  # dative, participle
    "N": {"V": "н", "D": "д", "T": "т"},  # genitive, accusative
    "B": {"V": "б", "D": "б", "T": "п"},  # 1st person plural
}


def _realize(template: str, stem: str) -> str | None:
    """The suffix `template` takes after `stem`, or None if it cannot follow it.

    Upper-case letters are placeholders: A a low vowel, I a high vowel, and
    L D G N B a consonant that depends on the preceding sound (see ONSETS).
    A leading `v` means "only after a vowel", a leading `c` "only after a consonant".
    """
    vowel = _last_vowel(stem)
    if vowel is None:
        return None
    sound = _sound(stem)
    if template[0] == "v":
        if sound != "V":
            return None
        template = template[1:]
    elif template[0] == "c":
        if sound == "V":
            return None
        template = template[1:]
    out = []
    for i, part in enumerate(template):
        # Each vowel of the suffix harmonizes with the vowel before it: -лар-ы.
        if part == "A":
            part = vowel = LOW[vowel]
        elif part == "I":
            part = vowel = HIGH[vowel]
        elif part in ONSETS:
            if i != 0:
                raise ValueError(template)
            part = "л" if part == "L" and stem[-1] in PLURAL_L else ONSETS[part][sound]
        elif part in VOWELS:
            vowel = part
        out.append(part)
    return "".join(out)


def _plausible_root(stem: str) -> bool:
    return len(stem) >= MIN_STEM and _last_vowel(stem) is not None


def _cuts_root_ending(word: str, length: int) -> bool:
    return any(word.endswith(ending) and length < len(ending) for ending in ROOT_ENDINGS)


def _strip(word: str, templates: tuple[str, ...]) -> tuple[str, str] | None:
    """The first of `templates` (listed longest first) that `word` ends in, as (stem, template)."""
    for template in templates:
        length = len(template.lstrip("vc"))
        if len(word) <= length:
            continue
        stem = word[:-length]
        if not _plausible_root(stem) or _cuts_root_ending(word, length):
            continue
        if _realize(template, stem) == word[-length:]:
            return stem, template
    return None


PREDICATE = ("сIңAр", "сIздAр", "DIңIз", "мIн", "сIң", "сIз", "BIз", "DIм", "DIң")
# Case endings; the locative-attributive -дагы (Бишкектеги, шаардагы) counts as one.
CASE = ("DAгI", "DAн", "NIн", "DA", "GA", "NI")
# Case endings as they follow a 3rd person possessive: атасы-нда, колу-на.
PRONOMINAL_CASE = ("ндAгI", "нAн", "ндA", "нA", "н")
POSSESSIVE = ("cIбIз", "cIңIз", "vбIз", "vңIз", "cIм", "cIң", "vсI")
PLURAL_POSSESSIVE = ("LAрI",)
PLURAL = ("LAр",)
VERB = ("GAн", "cIп", "vйт")


def _pronominal_host(stem: str) -> str | None:
    """`stem` without the 3rd person possessive that lets an n-case follow it.

    Accepted only where the possessive is unmistakable: -сы after a vowel
    (атасы), the plural possessive -лары (окуучулары), or a high vowel after a
    voiced б/г (мектеби). A plain consonant + ы (Нары-нда) is left alone: it is
    as likely a root ending in н (Нарын-да).
    """
    if found := _strip(stem, ("vсI",)):
        return found[0]
    if _strip(stem, PLURAL_POSSESSIVE):
        return stem[:-1]  # the plural stays for its own step
    return _strip_voiced_possessive(stem)


def _strip_voiced_possessive(stem: str) -> str | None:
    """мектеби -> мектеб: a bare -ы/-и/-у/-ү is a possessive only after a voiced б/г."""
    if len(stem) > MIN_STEM + 1 and stem[-2] in "бг" and _realize("I", stem[:-1]) == stem[-1]:
        return stem[:-1]
    return None


def _strip_pronominal_case(word: str) -> str | None:
    for ending in PRONOMINAL_CASE:
        n = len(ending)
        if len(word) <= n + 1:
            continue
        host = word[:-n]
        host_stem = _pronominal_host(host)
        if host_stem is None:
            continue
        if _realize(ending, host) == word[-n:]:
            return host_stem
    return None


# News repeats its words, so most words of a new story were stemmed before.
@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one Kyrgyz word, lower-cased."""
    word = word.lower().replace("ё", "е")
    if len(word) <= MIN_STEM + 1:
        return _devoice(word)
    if found := _strip(word, PREDICATE):
        word = found[0]
    if (stripped := _strip_pronominal_case(word)) is not None:
        word = stripped
    elif found := _strip(word, CASE):
        word = found[0]
    if found := _strip(word, POSSESSIVE):
        word = found[0]
    elif _strip(word, PLURAL_POSSESSIVE):
        word = word[:-1]  # окуучулар-ы: the plural goes next
    elif voiced := _strip_voiced_possessive(word):
        word = voiced
    if found := _strip(word, PLURAL):
        word = found[0]
    if found := _strip(word, VERB):
        word = found[0]
    return _devoice(word)


def _devoice(stem: str) -> str:
    if len(stem) > MIN_STEM and stem[-1] in "бг" and stem[-2] in VOWELS:
        return stem[:-1] + {"б": "п", "г": "к"}[stem[-1]]
    return stem


def words(text: str) -> Iterator[str]:
    """The words of `text` as the search indexes them: letters and digits."""
    return (match.group() for match in WORD.finditer(text))


def stems(text: str) -> Iterator[str]:
    """The stem of every word of `text`, in order."""
    # map() over findall(): no Python frame per word, a story has hundreds of them.
    return map(stem, WORD.findall(text))
