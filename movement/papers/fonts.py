"""The fonts every PDF is written in, shipped in ``fonts/`` beside this module (nothing fetched).

Nghị định 30/2020/NĐ-CP asks for Times New Roman, which is not free to ship; Liberation Serif 2
has the same metrics (a line breaks where it would in Times New Roman) and, unlike its version 1,
every letter of Vietnamese. Its licence (SIL Open Font License 1.1) is ``fonts/LICENSE``.
"""

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

SERIF = "Serif"
SERIF_BOLD = "Serif-Bold"
SERIF_ITALIC = "Serif-Italic"
SERIF_BOLD_ITALIC = "Serif-BoldItalic"

_FILES = {
    SERIF: "LiberationSerif-Regular.ttf",
    SERIF_BOLD: "LiberationSerif-Bold.ttf",
    SERIF_ITALIC: "LiberationSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}

# The font Word documents name: Word on the office's machines has Times New Roman itself.
DOCX_FONT = "Times New Roman"


def register() -> None:
    """Register the serif and its styles with ReportLab, once per process."""
    if SERIF in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, FONT_DIR / file))
    # <b> and <i> in a paragraph pick the matching file.
    addMapping(SERIF, 0, 0, SERIF)
    addMapping(SERIF, 1, 0, SERIF_BOLD)
    addMapping(SERIF, 0, 1, SERIF_ITALIC)
    addMapping(SERIF, 1, 1, SERIF_BOLD_ITALIC)
