"""Text folding for search that ignores Vietnamese diacritics.

"Nguyễn Văn Khảo", "NGUYEN VAN KHAO" and "nguyen van khao" fold to the same string, as do NFC and
NFD spellings of the same word, so one indexed column serves SQLite and PostgreSQL alike.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case ``text``, drop its diacritics (đ becomes d) and collapse runs of white space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", bare).strip().lower()


def normalize(text: str) -> str:
    """NFC-normalise ``text`` and collapse its white space, keeping case and diacritics."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


_LINE_BREAKS = re.compile(r"\r\n?")


def normalize_text(text: str) -> str:
    """NFC-normalise a free ``text`` and write each of its line breaks as LF.

    Browsers submit a textarea's lines with CR LF, Windows files may hold CR LF or a lone CR,
    and an .xlsx file reads every one of them back as LF: stored one way, a text reads back from
    any of them as it was.
    """
    return unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", text))
