"""The Kyrgyz stemmer: inflected words from the demo corpus meet at their stem,
and roots that only look inflected are left whole."""

import pytest

from articles.kyrgyz_stemmer import stem, stems
from articles.search_document import kyrgyz_document


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # The issue's own examples.
        ("мектептер", "мектеп"),
        ("Нарында", "нарын"),
        ("окуучулардын", "окуучу"),
        # Plural, after a vowel, a voiced and a voiceless sound, all four vowels.
        ("окуучулар", "окуучу"),
        ("шаарлар", "шаар"),
        ("тоолор", "тоо"),
        ("жерлер", "жер"),
        ("үйлөр", "үй"),
        ("кыздар", "кыз"),
        ("көлдөр", "көл"),
        ("күндөр", "күн"),
        ("иштер", "иш"),
        # Case endings.
        ("мектепте", "мектеп"),
        ("мектептин", "мектеп"),
        ("Бишкекте", "бишкек"),
        ("Бишкектен", "бишкек"),
        ("Бишкекке", "бишкек"),
        ("Бишкектеги", "бишкек"),
        ("Оштогу", "ош"),
        ("Таласта", "талас"),
        ("Баткенде", "баткен"),
        ("Чүйдө", "чүй"),
        ("колдо", "кол"),
        ("сотко", "сот"),
        ("милициянын", "милиция"),
        ("өкмөттүн", "өкмөт"),
        ("шайлоодо", "шайлоо"),
        ("Кыргызстанда", "кыргызстан"),
        ("Кыргызстандын", "кыргызстан"),
        # Plural + case, plural + possessive + case.
        ("адамдардын", "адам"),
        ("маалыматтарды", "маалымат"),
        ("кылмыштарга", "кылмыш"),
        ("маселелерге", "маселе"),
        ("мыйзамдардагы", "мыйзам"),
        ("айылдарда", "айыл"),
        ("жарандардын", "жаран"),
        ("мугалимдерге", "мугалим"),
        ("себептерин", "себеп"),
        ("өлкөлөрүнүн", "өлкө"),
        ("окуучуларында", "окуучу"),
        ("жумуштары", "жумуш"),
        ("депутаттары", "депутат"),
        ("мектептерибизде", "мектеп"),
        # Possessive, with the п/к of the root voiced before it.
        ("атасында", "ата"),
        ("мектеби", "мектеп"),
        ("мектебинде", "мектеп"),
        ("министрлигинин", "министрлик"),
        ("окуучубуз", "окуучу"),
        # Loans take the harmony of their last vowel.
        ("президенттин", "президент"),
        ("парламенттеги", "парламент"),
        # Verbs: past, participle (also declined), converb, present, person.
        ("ачылды", "ачыл"),
        ("ачылган", "ачыл"),
        ("ачылгандардын", "ачыл"),
        ("келип", "кел"),
        ("келдим", "кел"),
        ("окуйт", "оку"),
        ("эмеспиз", "эмес"),
        ("жокмун", "жок"),
        # Hyphenated place names are two words; the last one is declined.
        ("Ысык-Көлгө", "ысык-көл"),
    ],
)
def test_inflected_words_are_cut_to_their_stem(word, expected):
    assert "-".join(stem(part) for part in word.split("-")) == expected


@pytest.mark.parametrize(
    "word",
    [
        # Short words and roots whose ending looks like a suffix.
        "шаар",  # not шаа + -р
        "Бишкек",  # -ек is no suffix; the front vowel would need -ке, -те
        "адам",  # not ада + 1st person -м
        "мамлекет",  # the present -ет is not cut: it is the end of many roots
        "Кыргызстан",  # -стан is a root ending, not the ablative -тан
        "Баткен",  # -кен would need a front vowel before it
        "Нарын",
        "окуучу",  # a root ending in a vowel keeps it
        "бала",
        "жана",
        "менен",
        "айыл",
        "суу",
        "эки",
        "үй",
        "ош",
        "алар",  # a plural ending on a one-letter root
    ],
)
def test_roots_and_short_words_are_left_whole(word):
    assert stem(word) == word.lower()


@pytest.mark.parametrize(
    ("agrees", "disagrees"),
    [
        ("мектептер", "мектептар"),  # a front root takes front -тер, not -тар
        ("шаарлар", "шаарлер"),  # a back root takes back -лар
        ("колго", "колга"),  # a root with о takes rounded -го
        ("мектептер", "мектепдер"),  # after a voiceless п Kyrgyz writes -тер, not -дер
        ("мектепке", "мектепге"),  # and -ке, not -ге
    ],
)
def test_a_suffix_is_cut_only_where_it_agrees_with_the_root(agrees, disagrees):
    assert stem(agrees) != agrees
    assert stem(disagrees) == disagrees


def test_stems_of_a_text_keep_its_word_order():
    assert list(stems("Бишкектеги мектептерде окуучулар, 2026!")) == [
        "бишкек",
        "мектеп",
        "окуучу",
        "2026",
    ]


def test_the_search_document_weighs_title_lead_and_body_words():
    document = kyrgyz_document(
        title="Жаңы мектеп",
        lead="Мектептер ачылды.",
        body="<p>Мектебинде &laquo;окуучулар&raquo;</p>",
    )
    assert document == "'жаңы':1A 'мектеп':2A,3B,5C 'ачыл':4B 'окуучу':6C"
