"""Vietnamese text compared as people mean it.

:func:`fold` is for search, which ignores diacritics: "Nguyễn Văn Khảo", "NGUYEN VAN KHAO" and
"nguyen van khao" fold to the same string, as do NFC and NFD spellings of the same word, so one
indexed column serves SQLite and PostgreSQL alike.

:func:`name_key` and :func:`bare_key` are for matching a name typed in a file to a stored one.
Tone marks tell different people apart (Hưng is not Hùng), so a name written with marks matches
by :func:`name_key`, which keeps every mark; only a name typed with none (:func:`has_marks`) may
match by :func:`bare_key`, which drops them. Search keeps the same rule word by word
(:func:`holds_word`): a word typed without marks is looked for in the folded text, a word typed
with marks in the :func:`marked` text, in each of its :func:`tone_spellings`.

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


def marked(text: str) -> str:
    """Lower-case ``text`` keeping its marks, for the words searched with marks: NFC, Đ typed as
    a letter that looks like it made Đ, runs of white space collapsed ("Phòng  HÓA chất" gives
    "phòng hóa chất"). Where the tone sits is kept as written: see :func:`tone_spellings`."""
    lowered = unicodedata.normalize("NFC", text.translate(_LOOKALIKES).casefold())
    return _SPACES.sub(" ", lowered).strip()


# The letters a tone mark sits on, as NFD writes them (ă â ê ô ơ ư are these with a mark after).
_VOWELS = "aeiouy"
# The longest run of vowels in a Vietnamese syllable ("uyê" in "nguyễn", "ươi" in "người").
_LONGEST_VOWEL_RUN = 3


def tone_spellings(word: str) -> list[str]:
    """The :func:`marked` spellings of a ``word`` typed with marks: as typed, then with its tone on
    each other vowel of its syllable, the old and new placements being one word ("hoá" is also
    "hóa", "thuỷ" "thủy", "khoẻ" "khỏe"). A word with no tone, or more than one, is spelled
    only as typed."""
    typed = marked(word)
    letters: list[list[str]] = []  # each base letter with the marks that follow it
    for char in unicodedata.normalize("NFD", typed):
        if unicodedata.combining(char) and letters:
            letters[-1].append(char)
        else:
            letters.append([char])
    toned = [i for i, letter in enumerate(letters) if _TONE.search("".join(letter[1:]))]
    if len(toned) != 1 or letters[toned[0]][0] not in _VOWELS:
        return [typed]
    at = toned[0]
    first = last = at
    while first > 0 and letters[first - 1][0] in _VOWELS:
        first -= 1
    while last + 1 < len(letters) and letters[last + 1][0] in _VOWELS:
        last += 1
    if last - first + 1 > _LONGEST_VOWEL_RUN:
        return [typed]
    [tone] = [mark for mark in letters[at][1:] if mark in _TONES]
    bare = [[char for char in letter if char != tone] for letter in letters]
    spellings = [typed]
    for vowel in range(first, last + 1):
        moved = [[*letter, tone] if i == vowel else letter for i, letter in enumerate(bare)]
        spelling = unicodedata.normalize("NFC", "".join("".join(letter) for letter in moved))
        if spelling not in spellings:
            spellings.append(spelling)
    return spellings


def holds_word(text: str, word: str) -> bool:
    """Whether ``text`` holds the searched ``word``: any marks when it was typed without any
    ("khao" finds "Khảo" and "Khào"), else those marks, the tone on either vowel ("khảo" finds
    "Khảo", never "Khào"; "hoá" finds "Hóa"). The database searches the same way
    (movement.search.word_contains); this is for the few rows read without it."""
    if has_marks(word):
        held = marked(text)
        return any(spelling in held for spelling in tone_spellings(word))
    return fold(word) in fold(text)
