"""Old Vietnamese encodings: TCVN3 and VNI read as Unicode, told apart from Windows-1258, and a
file mixing UTF-8 with an 8-bit encoding refused naming its lines."""

import unicodedata

import pytest

from movement.spreadsheets.encodings import (
    MixedEncodings,
    decode_8bit,
    decode_tcvn3,
    decode_vni,
    is_syllable,
    mixed_lines,
)
from tests.spreadsheets import cp1258, csv_text, tcvn3, vni


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def every_letter() -> list[str]:
    """Every Vietnamese letter with a mark, lower-case then upper-case."""
    letters = ["đ"]
    for base in "aăâeêioôơuưy":
        for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"):
            letter = nfc(base + tone)
            if not letter.isascii():
                letters.append(letter)
    return letters + [letter.upper() for letter in letters]


# Text as people saw it on screen in the old fonts, with what it says.
@pytest.mark.parametrize(
    ("shown", "text"),
    [
        ("Bé C«ng an", "Bộ Công an"),
        ("Phßng Tham m\xadu", "Phòng Tham mưu"),
        ("§¹i t¸ NguyÔn V¨n Kh¶o", "Đại tá Nguyễn Văn Khảo"),
        ("Cê thi ®ua xuÊt s¾c", "Cờ thi đua xuất sắc"),
    ],
)
def test_tcvn3_reads_as_the_vn_fonts_showed_it(shown, text):
    assert decode_tcvn3(shown.encode("cp1252")) == text


@pytest.mark.parametrize(
    ("shown", "text"),
    [
        ("Boä Coâng an", "Bộ Công an"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
        ("Ñaïi taù Nguyeãn Thò Hoàng Nhung", "Đại tá Nguyễn Thị Hồng Nhung"),
        ("VIEÄT NAM, Cuïc, Thuûy, öu tuù, Ñoäi", "VIỆT NAM, Cục, Thủy, ưu tú, Đội"),
    ],
)
def test_vni_reads_as_the_vni_fonts_showed_it(shown, text):
    assert decode_vni(shown.encode("cp1252")) == text


def test_every_letter_reads_back_from_vni():
    text = " ".join(every_letter())
    assert decode_vni(vni(text)) == text


def test_every_lower_case_letter_reads_back_from_tcvn3():
    # TCVN3 has no byte for a capital with a tone: the ".VnTimeH" fonts draw the small letter's.
    text = " ".join(letter for letter in every_letter() if letter.islower())
    assert decode_tcvn3(tcvn3(text)) == text
    assert decode_tcvn3(tcvn3("ĂÂÊÔƠƯĐ")) == "ĂÂÊÔƠƯĐ"


@pytest.mark.parametrize(
    "word",
    ["Việt", "nghiêng", "khuya", "quốc", "gì", "Thủy", "Thuỷ", "hoạch", "người", "tuyển", "xoong"],
)
def test_vietnamese_syllables_are_recognised(word):
    assert is_syllable(word)


@pytest.mark.parametrize(
    "misread",
    # Windows-1258 read as TCVN3; VNI read as Windows-1258, TCVN3; TCVN3 read as Windows-1258.
    ["Viờũt", "Vieät", "chaứo", "Haỷi", "Laõm", "Quèc", "Côc", "Cê", "Boọ"],
)
def test_misread_words_are_not_vietnamese_syllables(misread):
    assert not is_syllable(misread)


HEADER = ["Mã", "Họ và tên", "Chức vụ", "Đơn vị"]
ROWS = [
    ["", "Trần Thị Hồng Nhung", "Đội trưởng", "Phòng Tham mưu"],
    ["", "Đặng Quang Hùng", "Phó Trưởng phòng", "Công an huyện Sóc Sơn"],
    ["", "Lê Thu Hà", "Cán bộ", "Đội Cảnh sát giao thông"],
]


def test_a_tcvn3_file_is_read_as_tcvn3():
    text = csv_text([HEADER, *ROWS])
    assert decode_8bit(tcvn3(text)) == (text, "TCVN3")


def test_a_vni_file_is_read_as_vni():
    text = csv_text([HEADER, *ROWS])
    assert decode_8bit(vni(text)) == (text, "VNI")


@pytest.mark.parametrize("rows", [ROWS[:1], ROWS, [[""] * 4]], ids=["one row", "rows", "blank"])
def test_a_windows_1258_file_is_never_misread(rows):
    text = csv_text([HEADER, *rows])
    assert decode_8bit(cp1258(text)) == (nfc(text), "Windows-1258")


@pytest.mark.parametrize(
    "name",
    ["Phòng Tham mưu", "Bộ Công an", "Đội Lê", "Trần Văn Bình", "Hồ Chí Minh", "Sơn La", "Võ"],
)
def test_a_short_windows_1258_file_is_never_misread(name):
    text = csv_text([["Tên đầy đủ"], [name]])
    assert decode_8bit(cp1258(text)) == (nfc(text), "Windows-1258")


def test_a_file_without_vietnamese_words_is_read_as_windows_1258():
    assert decode_8bit("Name;Price\r\nCafé;5 €\r\n".encode("cp1252"))[1] == "Windows-1258"


def test_a_file_mixing_utf8_and_windows_1258_names_its_lines():
    lines = [
        csv_text([HEADER]).encode(),
        csv_text([ROWS[0]]).encode(),
        cp1258(csv_text([ROWS[1]])),
        csv_text([ROWS[2]]).encode(),
    ]
    mixed = mixed_lines(b"".join(lines))
    assert (mixed.utf8_line, mixed.other_line) == (1, 3)
    with pytest.raises(MixedEncodings):
        decode_8bit(b"".join(lines))


def test_a_file_in_one_encoding_is_not_mixed():
    text = csv_text([HEADER, *ROWS])
    for data in (cp1258(text), tcvn3(text), vni(text)):
        assert mixed_lines(data) is None
