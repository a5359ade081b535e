"""Substring search of an award's folded ``search_text`` through an index, on either database.

A word typed in a search box must match anywhere in the text ("khao" finds "nguyen van khao"),
which is ``LIKE '%khao%'``: no b-tree index can answer that, so on a million awards every search
would read the whole table. Migration 0007 gives each database a trigram index instead:

- PostgreSQL: a pg_trgm GIN index on ``search_text``, which the planner uses for the very
  ``LIKE '%…%'`` that ``search_text__contains`` writes; nothing changes in the queries.
- SQLite: an FTS5 table with the trigram tokenizer over the same column (``AWARD_SEARCH_TABLE``),
  kept in step by triggers. A quoted word in a MATCH finds the rows holding it as a substring,
  as LIKE would, once it has three characters or more; shorter words keep the LIKE, which then
  only reads the rows the indexed words let through.

The public pages search only what they show: a word must also stand before the line break that
ends an award's public text (``STAFF_SEARCH_SEPARATOR``; the note follows it), checked on the
few rows the index lets through.
"""

import json
import re

from django.db import connection
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import Exact, LessThan

from movement.models.base import STAFF_SEARCH_SEPARATOR

AWARD_SEARCH_TABLE = "movement_award_search"
# The trigram tokenizer indexes runs of three characters; shorter words it cannot look up.
SHORTEST_INDEXED_WORD = 3


def uses_trigram_table() -> bool:
    return connection.vendor == "sqlite"


def indexed(word: str) -> bool:
    return len(word) >= SHORTEST_INDEXED_WORD


def _phrase(word: str) -> str:
    # A double-quoted FTS5 string is matched as it is, operators and punctuation included.
    return '"' + word.replace('"', '""') + '"'


# Up to this many matches are read from the index once and passed on as a list of ids (one JSON
# parameter, which SQLite unpacks itself): the count and the page of a search then look rows up by
# id rather than each asking the index again. Past it, the words are common enough that the index
# is asked as a subquery; the count then costs as much as the words are common.
PINNED_MATCHES = 20_000


def award_rows_matching(words: list[str]) -> RawSQL:
    """Ids of the awards whose search text holds every word, from the SQLite trigram table.

    One MATCH for all the words: FTS5 intersects them itself, far faster than one subquery each.
    """
    query = " AND ".join(_phrase(word) for word in words)
    # Only the table name, a constant of this module, is put into the SQL; the words are a
    # parameter.
    sql = f"SELECT rowid FROM {AWARD_SEARCH_TABLE} WHERE {AWARD_SEARCH_TABLE} MATCH %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [query, PINNED_MATCHES + 1])
        ids = [pk for (pk,) in cursor.fetchall()]
    if len(ids) <= PINNED_MATCHES:
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return RawSQL(sql, [query])  # noqa: S611


def award_text_contains(words: list[str]) -> Q:
    """Awards whose ``search_text`` holds every one of ``words``, through the trigram index."""
    if uses_trigram_table():
        found = [word for word in words if indexed(word)]
        short = [word for word in words if not indexed(word)]
        matches = Q(pk__in=award_rows_matching(found)) if found else Q()
    else:
        short = words
        matches = Q()
    for word in short:
        matches &= Q(search_text__contains=word)
    return matches


def award_public_text_contains(words: list[str]) -> Q:
    """Awards whose public text (``search_text`` before the note) holds every one of ``words``.

    A word's first occurrence comes before the separator if the word is in the public text at
    all; a word never holds the separator (fold() makes every line break a space).
    """
    matches = award_text_contains(words)
    separator = StrIndex("search_text", Value(STAFF_SEARCH_SEPARATOR))
    for word in words:
        found = StrIndex("search_text", Value(word))
        matches &= Q(Exact(separator, 0)) | Q(LessThan(found, separator))
    return matches


# An abbreviation is written as the initials of the words it stands for: "antq" for "an ninh Tổ
# quốc", "xdpt" for "xây dựng phong trào". Tried on short words of letters only, of three or
# more (two letters would match most texts), and on small tables (campaigns, units) whose search
# reads every row anyway.
ABBREVIATION = re.compile(r"[a-z]{3,8}")
SHORTEST_ABBREVIATED_RUN = 3
# A longer query is not tried with its runs abbreviated: the spellings would grow as its square.
MOST_WORDS_ABBREVIATED = 8


def abbreviation_of(word: str) -> str | None:
    """A pattern for the words ``word`` may abbreviate, as a folded text holds them ("antq":
    "an ninh to quoc"), or None if ``word`` cannot be an abbreviation.

    Written with what both databases' regular expressions read alike (Python's for SQLite,
    POSIX for PostgreSQL): no ``\\b``, which PostgreSQL reads as a backspace.
    """
    if not ABBREVIATION.fullmatch(word):
        return None
    return "(^|[^a-z0-9])" + "[a-z0-9]*[^a-z0-9]+".join(word) + "[a-z0-9]*"


def spellings(words: list[str]) -> list[list[tuple[str, bool]]]:
    """``words`` as typed, then with each run of three or more of them written as its initials:
    "vi an ninh to quoc" is also "vi antq", as a name may abbreviate it. Each word comes with
    whether it may stand for the words it abbreviates: initials made here stand for themselves,
    or "vi an ninh to" would find "ve an ninh to" by their initials."""
    typed = [(word, True) for word in words]
    found = [typed]
    if len(words) > MOST_WORDS_ABBREVIATED:
        return found
    for start in range(len(words)):
        for end in range(start + SHORTEST_ABBREVIATED_RUN, len(words) + 1):
            initials = "".join(word[0] for word in words[start:end])
            found.append([*typed[:start], (initials, False), *typed[end:]])
    return found


def text_matches(words: list[str]) -> Q:
    """Rows whose ``search_text`` holds each of ``words``, or the words it abbreviates, or the
    abbreviation of a run of them. For small tables: the abbreviations read every row."""
    any_spelling = Q()
    for spelling in spellings(words):
        every_word = Q()
        for word, may_abbreviate in spelling:
            word_matches = Q(search_text__contains=word)
            pattern = abbreviation_of(word) if may_abbreviate else None
            if pattern:
                word_matches |= Q(search_text__regex=pattern)
            every_word &= word_matches
        any_spelling |= every_word
    return any_spelling
