"""Vietnamese text in the 8-bit encodings older offices still save files in, told apart and read.

A CSV that is not UTF-8 was written in one of three 8-bit encodings, all of which read without
error as any of the others, so the bytes alone cannot say which:

- Windows-1258, what Excel on a Vietnamese Windows writes as "CSV";
- TCVN3 (TCVN 5712:1993, "ABC"), the encoding of the ".Vn" fonts (.VnTime, .VnArial…): one byte
  a letter, tone included;
- VNI-Windows, the encoding of the "VNI-" fonts (VNI-Times…): a toned vowel is its base letter
  followed by one or two bytes of Windows-1252 that stand for the marks.

Each is tried, and the one whose words are Vietnamese syllables wins (:func:`syllable_score`):
misread, the others give words no Vietnamese spelling has ("Viờũt", "chaứo", "Vieät"). Windows-1258
wins a tie. A file whose lines are partly UTF-8 and partly in an 8-bit encoding (rows pasted from
two files) is refused with :class:`MixedEncodings`, naming the first line that differs.

No package converts these as a library: on PyPI, viparse (a document loader for RAG, in beta)
keeps tables inside its internals, its VNI one gathered from sample documents with letters left
out (ẳ, ẵ), and vniencoder is VNI the typing method, not the VNI-Windows encoding. The tables
below are written from the standards, TCVN 5712:1993 (table VN3) and VNI Software's VNI-Windows
character chart, as the Vietnamese Unicode project lays them out side by side
(vietunicode.sourceforge.net/charset); tests/spreadsheets.py writes them out independently.
"""

import functools
import re
import unicodedata
from collections.abc import Callable

# -- TCVN3 ----------------------------------------------------------------------------------------

# TCVN 5712:1993, table VN3: the byte of each letter. Upper-case toned letters have no byte of
# their own (the ".VnTimeH" fonts draw the lower-case bytes as capitals), so they read lower-case.
TCVN3_LETTERS = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip


def _windows_1252(byte: int) -> str:
    # The five bytes Windows-1252 leaves undefined are read as Latin-1's control characters,
    # which the spreadsheet reader then refuses.
    return bytes([byte]).decode("cp1252", errors="ignore") or chr(byte)


# Latin-1 reads every byte as the character of its number: from there, a table per encoding.
WINDOWS_1252 = str.maketrans({byte: _windows_1252(byte) for byte in range(0x80, 0xA0)})
# A byte the TCVN3 table does not name is what Windows-1252 makes of it (quotation marks,
# dashes, typed on the same keyboard).
TCVN3_TABLE = str.maketrans(
    {byte: TCVN3_LETTERS.get(byte, _windows_1252(byte)) for byte in range(0x80, 0x100)}
)


def decode_tcvn3(data: bytes) -> str:
    return data.decode("latin-1").translate(TCVN3_TABLE)


# -- VNI-Windows ----------------------------------------------------------------------------------

# The marks, as the Windows-1252 characters of their bytes: lower-case after a lower-case base,
# upper-case after an upper-case one (VNI-Windows chart).
VNI_TONES = {
    "\u0300": ("ø", "Ø"),  # huyền
    "\u0301": ("ù", "Ù"),  # sắc
    "\u0309": ("û", "Û"),  # hỏi
    "\u0303": ("õ", "Õ"),  # ngã
    "\u0323": ("ï", "Ï"),  # nặng
}
# â ê ô with a tone: one byte for both marks.
VNI_CIRCUMFLEX = {"": ("â", "Â"), "\u0300": ("à", "À"), "\u0301": ("á", "Á"),
                  "\u0309": ("å", "Å"), "\u0303": ("ã", "Ã"), "\u0323": ("ä", "Ä")}  # fmt: skip
# ă with a tone: one byte for both marks.
VNI_BREVE = {"": ("ê", "Ê"), "\u0300": ("è", "È"), "\u0301": ("é", "É"),
             "\u0309": ("ú", "Ú"), "\u0303": ("ü", "Ü"), "\u0323": ("ë", "Ë")}  # fmt: skip
# Letters written as one byte: đ, ơ and ư (to which tones are added like to a base letter), and
# i's toned forms and ỵ, which have no base letter to hang a mark on.
VNI_SINGLE = {"ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
              "ì": "ì", "Ì": "Ì", "í": "í", "Í": "Í", "æ": "ỉ", "Æ": "Ỉ",
              "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ"}  # fmt: skip


def _vni_sequences() -> dict[str, str]:
    """Every VNI-Windows spelling of a Vietnamese letter, to the letter (NFC)."""
    sequences = dict(VNI_SINGLE)
    for tone, (lower, upper) in VNI_TONES.items():
        # i's toned forms are single bytes (VNI_SINGLE), and so is ỵ.
        bases = "aeouyAEOUY" if tone != "\u0323" else "aeouAEOU"
        for base in bases:
            mark = lower if base.islower() else upper
            sequences[base + mark] = unicodedata.normalize("NFC", base + tone)
        for spelled, letter in (("ô", "ơ"), ("Ô", "Ơ"), ("ö", "ư"), ("Ö", "Ư")):
            mark = lower if spelled.islower() else upper
            sequences[spelled + mark] = unicodedata.normalize("NFC", letter + tone)
    for marks, modifier, bases in (
        (VNI_CIRCUMFLEX, "\u0302", "aeoAEO"),
        (VNI_BREVE, "\u0306", "aA"),
    ):
        for tone, (lower, upper) in marks.items():
            for base in bases:
                mark = lower if base.islower() else upper
                sequences[base + mark] = unicodedata.normalize("NFC", base + modifier + tone)
    return sequences


VNI_SEQUENCES = _vni_sequences()
# Longest first, so that "ôø" (ờ) is read before "ô" (ơ).
VNI_PATTERN = re.compile(
    "|".join(re.escape(key) for key in sorted(VNI_SEQUENCES, key=len, reverse=True))
)


def decode_vni(data: bytes) -> str:
    text = data.decode("latin-1").translate(WINDOWS_1252)
    return VNI_PATTERN.sub(lambda match: VNI_SEQUENCES[match.group()], text)


def decode_windows_1258(data: bytes) -> str:
    # Windows-1258 writes most tones as combining marks after the letter: composed here, as
    # names are stored. Raises UnicodeDecodeError on the few bytes it leaves undefined.
    return unicodedata.normalize("NFC", data.decode("cp1258"))


# -- Telling them apart ---------------------------------------------------------------------------

# A Vietnamese syllable, its tone taken off: an initial consonant, a vowel cluster, a final
# consonant or glide, by the rules of Vietnamese spelling (chính tả): a cluster ending in a glide
# takes no final; ă, â, iê, uô, ươ… need one; a syllable ending in c, ch, p or t has the sắc or
# the nặng tone; k, gh and ngh come before e, ê, i and y only, c, g and ng never.
INITIALS = "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x"
OPEN_VOWELS = (
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oay oeo uây uôi ươi ươu "
    "uya uyu"
)
CLOSABLE_VOWELS = "a e ê i o ô ơ u ư y oa oe uê uy uơ"
CLOSED_VOWELS = "ă â iê yê uô ươ oă uâ uyê oo"
FINALS = "c ch m n ng nh p t"
STOPS = ("c", "ch", "p", "t")
FRONT = ("e", "ê", "i", "y")


def _alternatives(words: str) -> str:
    return "|".join(sorted(words.split(), key=len, reverse=True))


SYLLABLE = re.compile(
    f"(?P<initial>{_alternatives(INITIALS)})?"
    f"(?:(?P<open>{_alternatives(OPEN_VOWELS)})"
    f"|(?P<closable>{_alternatives(CLOSABLE_VOWELS)})(?P<final>{_alternatives(FINALS)})?"
    f"|(?P<closed>{_alternatives(CLOSED_VOWELS)})(?P<needed>{_alternatives(FINALS)}))"
)
TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
# Tones a syllable ending in a stop may carry: sắc and nặng.
STOP_TONES = {"\u0301", "\u0323"}
WORD = re.compile(r"[^\W\d_]+")
# The part of a file read to tell its encoding: enough words, little time.
SAMPLE_BYTES = 256 * 1024


@functools.lru_cache(maxsize=8192)
def is_syllable(word: str) -> bool:
    """Whether ``word`` is spelled as a Vietnamese syllable may be (see SYLLABLE)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [char for char in decomposed if char in TONES]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(char for char in decomposed if char not in TONES))
    match = SYLLABLE.fullmatch(bare)
    if match is None:
        return False
    initial = match["initial"] or ""
    vowels = match["open"] or match["closable"] or match["closed"]
    final = match["final"] or match["needed"] or ""
    if final in STOPS and not (tones and tones[0] in STOP_TONES):
        return False
    front = vowels.startswith(FRONT)
    if initial in ("k", "gh", "ngh") and not front:
        return False
    return not (initial in ("c", "ng") or (initial == "g" and vowels != "i")) or not front


def syllable_score(text: str) -> int:
    """Words with a letter outside ASCII that are Vietnamese syllables, less those that are
    not. ASCII words ("QĐ" aside, codes and abbreviations) say nothing about the encoding."""
    score = 0
    for word in WORD.findall(text):
        if not word.isascii():
            score += 1 if is_syllable(word) else -1
    return score


DECODERS: dict[str, Callable[[bytes], str]] = {
    "Windows-1258": decode_windows_1258,
    "TCVN3": decode_tcvn3,
    "VNI": decode_vni,
}


class MixedEncodings(ValueError):
    """A file whose line ``utf8_line`` (1-based) is UTF-8 and line ``other_line`` is not: the
    first of each kind."""

    def __init__(self, utf8_line: int, other_line: int) -> None:
        super().__init__(utf8_line, other_line)
        self.utf8_line = utf8_line
        self.other_line = other_line


def mixed_lines(data: bytes) -> MixedEncodings | None:
    """Where some lines of ``data`` are UTF-8 with Vietnamese letters and others are not UTF-8
    at all, the first line of each kind; None for a file in one encoding."""
    utf8_line = other_line = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            other_line = other_line or number
        else:
            # Letters beyond Latin-1 (ư, ơ, ạ…): an 8-bit line that happens to be valid UTF-8
            # decodes to Latin-1 letters or to letters of other scripts.
            if any(0xFF < ord(char) < 0x2000 for char in text):
                utf8_line = utf8_line or number
        if utf8_line and other_line:
            return MixedEncodings(utf8_line, other_line)
    return None


def decode_8bit(data: bytes) -> tuple[str, str]:
    """The text of ``data``, which is not UTF-8, and the name of the encoding it was read in:
    "Windows-1258", "TCVN3" or "VNI". Raises :class:`MixedEncodings` for a file partly in
    UTF-8, and UnicodeDecodeError for one that no encoding reads as Vietnamese."""
    mixed = mixed_lines(data)
    if mixed is not None:
        raise mixed
    sample = data[:SAMPLE_BYTES]
    scores = {}
    for name, decode in DECODERS.items():
        try:
            scores[name] = syllable_score(decode(sample))
        except UnicodeDecodeError:
            continue
    # Windows-1258 first: it wins a tie, and a file without a Vietnamese word is read in it.
    best = max(scores, key=lambda name: (scores[name], name == "Windows-1258"))
    if best != "Windows-1258" and scores[best] <= 0:
        return decode_windows_1258(data), "Windows-1258"
    return DECODERS[best](data), best
