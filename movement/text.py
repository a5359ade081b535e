"""Vietnamese text compared as people mean it.

:func:`fold` is for search, which ignores diacritics: "Nguyễn Văn Khảo", "NGUYEN VAN KHAO" and
"nguyen van khao" fold to the same string, as do NFC and NFD spellings of the same word, so one
indexed column serves SQLite and PostgreSQL alike.

:func:`name_key` and :func:`bare_key` are for matching a name typed in a file to a stored one.
Tone marks tell different people apart (Hưng is not Hùng), so a name written with marks matches
by :func:`name_key`, which keeps every mark; only a name typed with none (:func:`has_marks`) may
match by :func:`bare_key`, which drops them.

:func:`code_from_name` makes the ASCII code a record's links carry from its Vietnamese name.
"""

import re
import unicodedata

from django.utils.text import slugify

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case ``text``, drop its diacritics (đ becomes d) and collapse runs of white space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", bare).strip().lower()


def code_from_name(name: str) -> str:
    """The code a name gives: its Vietnamese letters folded to ASCII (đ to d, marks dropped), its
    words joined by hyphens. "Trần Thị Hồng Nhung" gives "tran-thi-hong-nhung"."""
    # slugify alone would drop đ, and Django's prepopulating script every letter it has no
    # table for ("trn-th-hng-nhung").
    return slugify(fold(name))


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


# Letters that look like Đ and đ, typed from Icelandic or African keyboard layouts or pasted from
# a PDF: Ð (eth), Ɖ (African D) and their small letters.
_LOOKALIKES = str.maketrans({"Ð": "Đ", "Ɖ": "Đ", "ð": "đ", "ɖ": "đ"})
# The five tone marks (huyền, sắc, ngã, hỏi, nặng) as NFD writes them. The other marks, of the
# vowels â ê ô ă ơ ư, stay on their letter.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_TONE = re.compile(f"[{_TONES}]")
# A tone mark followed by the rest of its syllable: letters, digits and the vowels' own marks.
_TONE_INSIDE = re.compile(f"([{_TONES}])([\\w\u0302\u0306\u031b]+)")
_MARKED = re.compile("[\u0300-\u036f\u0110\u0111]")


def name_key(text: str) -> str:
    """The key under which two spellings of a name are the same name: whatever the case, spacing
    or Unicode form (NFC, NFD), the tone mark placed on either vowel (the old "Thuỷ", "Hoá",
    "Khoẻ" or the new "Thủy", "Hóa", "Khỏe"), and Đ typed as a letter that looks like it.
    Every letter and mark counts otherwise: "Hưng" and "Hùng" have different keys.

    The key is for comparing, not showing: each syllable's tone mark is moved to its end.
    """
    if text.isascii():
        return _SPACES.sub(" ", text).strip().lower()
    decomposed = unicodedata.normalize("NFD", text.translate(_LOOKALIKES)).casefold()
    if _TONE.search(decomposed):
        decomposed = _TONE_INSIDE.sub(r"\2\1", decomposed)
    return _SPACES.sub(" ", decomposed).strip()


def bare_key(text: str) -> str:
    """The key of ``text`` with every mark dropped, as someone types who types none: "Đặng
    Quang Hưng" and "dang quang hung" have the same bare key, and so has "Đặng Quang Hùng"."""
    return fold(text.translate(_LOOKALIKES))


def has_marks(text: str) -> bool:
    """Whether ``text`` was written with any Vietnamese mark (a tone, a vowel's mark, or đ)."""
    return bool(_MARKED.search(unicodedata.normalize("NFD", text.translate(_LOOKALIKES))))


def marks_agree(typed: str, text: str) -> bool:
    """Whether every word of ``typed`` written with marks stands in ``text`` with those marks.

    Search folds both sides ("khao" finds "Khảo"); a word typed with marks asks for those marks
    ("khảo" finds "Khảo", never "Khào"), the tone on either vowel ("hoá" finds "Hóa").
    """
    marked = [word for word in normalize(typed).split() if has_marks(word)]
    if not marked:
        return True
    plain, keyed = normalize(text).casefold(), name_key(text)
    return all(word.casefold() in plain or name_key(word) in keyed for word in marked)
