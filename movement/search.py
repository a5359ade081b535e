"""Substring search of the searchable records' texts, through an index on the award table.

A word typed without marks is looked for in the folded ``search_text`` ("khao" finds "Nguyễn Văn
Khảo"); a word typed with marks in ``marked_text``, the text lower-cased with its marks, in each
placement of its tone (text.tone_spellings): "khảo" finds "Khảo", never "Khào", since tone marks
tell people apart (Hưng is not Hùng). Both are :func:`word_contains`, so paging and counts are
the database's own.

A word must match anywhere in the text, which is ``LIKE '%khao%'``: no b-tree index can answer
that, so on a million awards every search would read the whole table. Migrations 0007 and
0026 give each database a trigram index instead, over both columns of the award table:

- PostgreSQL: a pg_trgm GIN index on each column, which the planner uses for the very
  ``LIKE '%…%'`` that ``__contains`` writes. A word common enough that its lists in the index
  cost more to read than the rows it would keep out is checked on the rows instead
  (:func:`looked_up`, from the planner's sample of the texts: one query).
- SQLite: an FTS5 table with the trigram tokenizer over the two columns (``AWARD_SEARCH_TABLE``),
  kept in step by triggers. A quoted word in a MATCH, filtered to its column, finds the rows
  holding it as a substring, as LIKE would, once it has three characters or more; shorter words
  keep the LIKE, which then only reads the rows the indexed words let through.

The public pages search only what they show: a word must also stand before the line break that
ends an award's public text (``STAFF_SEARCH_SEPARATOR``; the note follows it), checked on the
few rows the index lets through.
"""

import json
import math
import re

from django.db import connection
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import Exact, GreaterThan, LessThan

from movement.models.base import STAFF_SEARCH_SEPARATOR
from movement.text import fold, has_marks, normalize, tone_spellings

AWARD_SEARCH_TABLE = "movement_award_search"
# The trigram tokenizer indexes runs of three characters; shorter words it cannot look up.
SHORTEST_INDEXED_WORD = 3


def uses_trigram_table() -> bool:
    return connection.vendor == "sqlite"


def typed_words(value: str) -> list[str]:
    """The words of a search box's ``value``, as typed: with their marks, if any."""
    return normalize(value).split()


def spellings_of(word: str, column: str = "search_text") -> tuple[str, list[str]]:
    """Where a typed ``word`` is looked for, given the folded ``column`` (``search_text``, or a
    relation's, ``unit__search_text``), and as what: the folded word there, or, typed with
    marks, its tone spellings in the marked twin of that column."""
    if has_marks(word):
        return column.removesuffix("search_text") + "marked_text", tone_spellings(word)
    return column, [fold(word)]


def word_contains(word: str, column: str = "search_text") -> Q:
    """Rows whose ``column`` (or its marked twin, for a word typed with marks) holds ``word``."""
    column, spellings = spellings_of(word, column)
    matches = Q()
    for spelling in spellings:
        matches |= Q(**{f"{column}__contains": spelling})
    return matches


def indexed(spellings: list[str]) -> bool:
    return min(len(spelling) for spelling in spellings) >= SHORTEST_INDEXED_WORD


def _phrase(word: str) -> str:
    # A double-quoted FTS5 string is matched as it is, operators and punctuation included.
    return '"' + word.replace('"', '""') + '"'


def _column_phrases(column: str, spellings: list[str]) -> str:
    # The column filter keeps a word typed without marks out of the marked text, and back.
    return f"{column} : ({' OR '.join(_phrase(spelling) for spelling in spellings)})"


# Up to this many matches are read from the index once and passed on as a list of ids (one JSON
# parameter, which SQLite unpacks itself): the count and the page of a search then look rows up by
# id rather than each asking the index again. Past it, the words are common enough that the index
# is asked as a subquery; the count then costs as much as the words are common.
PINNED_MATCHES = 20_000


def award_rows_matching(words: list[tuple[str, list[str]]]) -> RawSQL:
    """Ids of the awards whose texts hold every word, from the SQLite trigram table; each word is
    a column and the spellings looked for in it (:func:`spellings_of`).

    One MATCH for all the words: FTS5 intersects them itself, far faster than one subquery each.
    """
    query = " AND ".join(_column_phrases(column, spellings) for column, spellings in words)
    # Only the table name, a constant of this module, is put into the SQL; the words are a
    # parameter.
    sql = f"SELECT rowid FROM {AWARD_SEARCH_TABLE} WHERE {AWARD_SEARCH_TABLE} MATCH %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [query, PINNED_MATCHES + 1])
        ids = [pk for (pk,) in cursor.fetchall()]
    if len(ids) <= PINNED_MATCHES:
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return RawSQL(sql, [query])  # noqa: S611


# How many entries of the trigram index's lists PostgreSQL reads in the time it reads one row
# and checks its text: 23 ns an entry and 6 µs a row, measured on a million awards (#18).
ROW_READ_COST = 250


def sampled_texts() -> dict[str, list[str]]:
    """The texts of the award table as the planner sampled them (ANALYZE's histogram of each
    column: a hundred texts, evenly spread), by column; nothing for a table never analysed."""
    from movement.models import Award

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, histogram_bounds::text::text[] FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s "
            "AND attname IN ('search_text', 'marked_text')",
            [Award._meta.db_table],
        )
        return {column: texts for column, texts in cursor.fetchall() if texts}


def share_holding(texts: list[str], spellings: list[str]) -> float:
    """The share of ``texts`` holding one of ``spellings``; a word in none of them counts as half
    of one (the sample can tell a word of one row in a hundred, not rarer)."""
    held = sum(1 for text in texts if any(spelling in text for spelling in spellings))
    return max(held, 0.5) / len(texts)


def looked_up(words: list[tuple[str, list[str]]], sample: dict[str, list[str]]) -> list[bool]:
    """Which of the ``words`` (each a column and its spellings, :func:`spellings_of`) PostgreSQL
    should ask the trigram index for; the others are checked on the rows it gives back.

    The index answers ``LIKE '%khao%'`` by intersecting the lists of rows holding each of the
    word's trigrams ("kha", "hao"). A common word's lists are long: "nguyen" is four lists of a
    third of the table each, and reading them took two thirds of the time of a search for
    "nguyen van khao", growing with the table. Left out of the lookup, the word lets through more
    rows, each read and checked. It is left out when the entries it would read cost more than
    the rows it would keep out: most common word first, from the planner's sample
    (:func:`sampled_texts`); the rarest word is always looked up.
    """
    asked = [indexed(spellings) for _column, spellings in words]
    if not sample or sum(asked) < 2:
        return asked
    shares = [
        share_holding(sample.get(column, []) or [""], spellings) for column, spellings in words
    ]
    for word in sorted(range(len(words)), key=lambda each: -shares[each]):
        if not asked[word] or sum(asked) < 2:
            continue
        others = math.prod(
            share for each, share in enumerate(shares) if asked[each] and each != word
        )
        # pg_trgm looks a word up by each of its trigrams (len - 2 of them).
        trigrams = max(len(spelling) - 2 for spelling in words[word][1])
        entries = trigrams * shares[word]
        kept_out = others * (1 - shares[word])
        if entries > ROW_READ_COST * kept_out:
            asked[word] = False
    return asked


def text_holds(column: str, spellings: list[str]) -> Q:
    """Rows whose ``column`` holds one of ``spellings``, checked on each row: written as
    ``strpos``, which no index answers, where ``__contains`` would ask the trigram index."""
    matches = Q()
    for spelling in spellings:
        matches |= Q(GreaterThan(StrIndex(column, Value(spelling)), 0))
    return matches


def award_text_contains(words: list[str]) -> Q:
    """Awards whose texts hold every one of the typed ``words`` (:func:`word_contains`), through
    the trigram index."""
    if not uses_trigram_table():
        found = [spellings_of(word) for word in words]
        # Worth choosing only between two words the index could look up.
        choose = sum(indexed(spellings) for _column, spellings in found) >= 2
        asked = looked_up(found, sampled_texts() if choose else {})
        matches = Q()
        for word, (column, spellings), lookup in zip(words, found, asked, strict=True):
            matches &= word_contains(word) if lookup else text_holds(column, spellings)
        return matches
    found = [spellings_of(word) for word in words]
    matches = Q()
    if any(indexed(spellings) for _column, spellings in found):
        matches = Q(pk__in=award_rows_matching([each for each in found if indexed(each[1])]))
    for word, (_column, spellings) in zip(words, found, strict=True):
        if not indexed(spellings):
            matches &= word_contains(word)
    return matches


def award_public_text_contains(words: list[str]) -> Q:
    """Awards whose public text (before the note) holds every one of the typed ``words``.

    A spelling's first occurrence comes before the separator if it is in the public text at
    all; a word never holds the separator (fold() and marked() make every line break a space).
    """
    matches = award_text_contains(words)
    for word in words:
        column, spellings = spellings_of(word)
        separator = StrIndex(column, Value(STAFF_SEARCH_SEPARATOR))
        public = Q()
        for spelling in spellings:
            found = StrIndex(column, Value(spelling))
            public |= Q(GreaterThan(found, 0)) & Q(LessThan(found, separator))
        matches &= Q(Exact(separator, 0)) | public
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
    """The typed ``words`` as typed, then with each run of three or more of them written as its
    initials: "vi an ninh to quoc" is also "vi antq", as a name may abbreviate it. Each word
    comes with whether it may stand for the words it abbreviates: initials made here stand for
    themselves, or "vi an ninh to" would find "ve an ninh to" by their initials; a word typed
    with marks is a word, never initials."""
    typed = [(word, not has_marks(word)) for word in words]
    found = [typed]
    if len(words) > MOST_WORDS_ABBREVIATED:
        return found
    for start in range(len(words)):
        for end in range(start + SHORTEST_ABBREVIATED_RUN, len(words) + 1):
            initials = "".join(fold(word)[:1] for word in words[start:end])
            found.append([*typed[:start], (initials, False), *typed[end:]])
    return found


def text_matches(words: list[str]) -> Q:
    """Rows whose texts hold each of the typed ``words`` (:func:`word_contains`), or the words
    it abbreviates, or the abbreviation of a run of them. For small tables: the abbreviations
    read every row."""
    any_spelling = Q()
    for spelling in spellings(words):
        every_word = Q()
        for word, may_abbreviate in spelling:
            word_matches = word_contains(word)
            pattern = abbreviation_of(fold(word)) if may_abbreviate else None
            if pattern:
                word_matches |= Q(search_text__regex=pattern)
            every_word &= word_matches
        any_spelling |= every_word
    return any_spelling
