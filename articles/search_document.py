"""The Kyrgyz search document: a story's stems, weighted, as a PostgreSQL tsvector.

PostgreSQL cannot stem Kyrgyz, so Python does it (articles.kyrgyz_stemmer) when
a story is saved and stores the result in tsvector's text form
(`'мектеп':3A,12C 'бишкек':1A`), which PostgreSQL reads as is and indexes with
GIN. The query is stemmed by the same function, so both sides always agree.
Title words weigh A, lead B, body C, as in the Russian index.
"""

from collections import defaultdict
from html import unescape

from django.contrib.postgres.search import SearchVectorField
from django.utils.html import strip_tags

from .kyrgyz_stemmer import stems

# tsvector's own limits: positions run to 16383, a lexeme keeps 256 of them.
MAX_POSITION = 16383
MAX_POSITIONS_PER_STEM = 256


class SearchDocumentField(SearchVectorField):
    """A tsvector column written from Python as tsvector text."""

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


def plain_text(html: str) -> str:
    return unescape(strip_tags(html.replace("<", " <")))


def kyrgyz_document(*, title: str, lead: str, body: str) -> str:
    """The tsvector text of a Kyrgyz story; `body` is HTML."""
    positions: dict[str, list[str]] = defaultdict(list)
    position = 0
    for text, weight in ((title, "A"), (lead, "B"), (plain_text(body), "C")):
        for word_stem in stems(text or ""):
            position = min(position + 1, MAX_POSITION)
            entry = f"{position}{weight}"
            found = positions[word_stem]
            if len(found) < MAX_POSITIONS_PER_STEM and entry not in found[-1:]:
                found.append(entry)
    return " ".join(
        f"{quote_lexeme(word_stem)}:{','.join(found)}" for word_stem, found in positions.items()
    )


def quote_lexeme(lexeme: str) -> str:
    escaped = lexeme.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"
