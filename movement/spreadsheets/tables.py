"""Where a sheet's table is: the rows of a worksheet (or a CSV file) as an officer lays them out,
turned into one table of a header and data rows.

Officers' lists carry more than the table. Above it, a title ("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM
2016") and blank rows; beside it, a row counter ("STT", sometimes a formula like ``=ROW()-1``);
below it, a signature block ("Người lập biểu", "THỦ TRƯỞNG ĐƠN VỊ", "Hà Nội, ngày … tháng … năm
…", the signers' names). A workbook may hold several lists, one a sheet ("Tập thể", "Cá nhân").

The rules, each in one place here:

- **Header row**: the first of a sheet's first :data:`HEADER_SEARCH_ROWS` rows that names at least
  :data:`ENOUGH_KNOWN` of the resource's columns (any header it accepts, see
  ``ColumnsMixin.column_aliases``). Rows above it are not read. A sheet without such a row is
  skipped and named in a warning; if no sheet has one, the first sheet's first non-blank row is
  taken as the header, so the missing columns can be named.
- **Two-row header**: when the row right under the header holds text, and only under headers
  merged across columns (a header cell followed by blank ones, e.g. "Hình thức khen thưởng" over
  "Tên" and "Hạng"; the other headers, merged down, leave blank cells where a data row has
  values), the two rows are read as one header if every lower cell names a column (alone, with
  its upper header before or after it, or as the one unnamed column under an upper header that
  names a column); otherwise the file is refused, saying which cell to change.
- **Row counter**: a column headed "STT", "TT", "Số TT" or "Số thứ tự" is not read at all,
  unless the resource has a column of that name.
- **Signature block**: the table ends at the first row after the header whose non-blank cells are
  all signature words (:data:`SIGNATURE_WORDS`) or a place-and-date line ("Hà Nội, ngày 15 tháng
  01 năm 2017"). Every non-blank row after it must look like a signature: at most
  :data:`SIGNATURE_CELLS` cells of text without digits (names, ranks), or signature words; any
  other row refuses the file rather than being lost. The rows left out are named in a warning.
- **Formulas and error cells** are refused only where their value would be imported: under a
  header the resource knows (any named column when the headers are not known).
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tablib
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from movement.spreadsheets.cells import is_blank
from movement.text import fold

# The rows of a sheet searched for its header.
HEADER_SEARCH_ROWS = 20
# Known columns a row must name to be taken for the header.
ENOUGH_KNOWN = 2
# Headers of a row counter, folded.
ROW_COUNTERS = frozenset({"stt", "tt", "so tt", "so thu tu", "s.t.t", "s/tt"})
# Words that open a signature block, folded; a cell is a signature when it starts with one.
SIGNATURE_WORDS = (
    "nguoi lap bieu",
    "nguoi lap",
    "lap bieu",
    "thu truong",
    "ky ten",
    "ky, ghi ro ho ten",
    "ky ghi ro ho ten",
    "ky va ghi ro ho ten",
    "ky, ho ten",
    "xac nhan cua",
)
# "KT. THỦ TRƯỞNG" (signing for), "TM. ĐẢNG ỦY" (on behalf of), "Q.", "TL.", "TUQ.": folded.
SIGNING_FOR = re.compile(r"^(kt|tm|t/m|q|tl|tuq)\.?\s+")
# "Hà Nội, ngày 15 tháng 01 năm 2017", "ngày … tháng … năm 2016", folded.
PLACE_AND_DATE = re.compile(r"^([^,]{0,60},\s*)?ngay\b[^a-z]{0,12}thang\b[^a-z]{0,12}nam\b[^a-z]*$")
# Cells a row under the signature words may hold (the signers' names and ranks, side by side).
SIGNATURE_CELLS = 4

# A sheet's row: its number, its cells' values, and the kind of its formula ("f") and error
# ("e") cells by position (None when it has none).
Row = tuple[int, Sequence[Any], dict[int, str] | None]


class TableError(ValueError):
    """A sheet whose table cannot be read: the message says where and what to change."""


@dataclass
class SheetPart:
    """Where a sheet's table was read from: the sheet ("" for a CSV file), its header's first and
    last row (two for a two-row header) and how many data rows it gave."""

    sheet: str
    header_row: int
    header_last_row: int
    rows: int


@dataclass
class Table:
    dataset: tablib.Dataset
    parts: list[SheetPart]
    warnings: list[str]


def _header_text(value: Any) -> str:
    return "" if is_blank(value) else unicodedata.normalize("NFC", str(value)).strip()


def is_signature(value: Any) -> bool:
    """Whether a cell holds signature words or a place-and-date line."""
    if not isinstance(value, str):
        return False
    text = SIGNING_FOR.sub("", fold(value).strip("()[]:. "))
    return text.startswith(SIGNATURE_WORDS) or bool(PLACE_AND_DATE.match(text))


def _signature_row(values: Sequence[Any]) -> bool:
    found = False
    for value in values:
        if is_blank(value):
            continue
        if not is_signature(value):
            return False
        found = True
    return found


def _under_signature(values: Sequence[Any]) -> bool:
    """Whether a row below the signature words holds a signer's name or rank, nothing else."""
    cells = [value for value in values if not is_blank(value)]
    return len(cells) <= SIGNATURE_CELLS and all(
        is_signature(value)
        or (isinstance(value, str) and not any(char.isdigit() for char in value))
        for value in cells
    )


def _place(sheet: str, row: int | str) -> str:
    """A row's (or rows') place in a sentence, with its sheet when the file has several."""
    if not sheet:
        return str(row)
    return _("%(row)s of sheet “%(sheet)s”") % {"row": row, "sheet": sheet}


def _cell(sheet: str, position: int, row: int) -> str:
    """A cell's name in a sentence, with its sheet when the file has several."""
    return _place(sheet, f"{get_column_letter(position + 1)}{row}")


@dataclass
class _SheetTable:
    title: str
    header_row: int
    header_last_row: int
    # The positions read and their headers; the row counter's and blank headers' are not read.
    columns: list[tuple[int, str]]
    rows: list[tuple[int, Sequence[Any]]]
    signature: list[int]


class _Reader:
    """Reads one sheet's table (see the module's rules)."""

    def __init__(self, title: str, known: Mapping[str, str] | None, named: str) -> None:
        self.title = title
        self.known = known
        # How the sheet is named in messages ("" when the file has one sheet).
        self.named = named
        self.blank = True

    def header_score(self, values: Sequence[Any]) -> int:
        if self.known is None:
            return 0
        return len(
            {self.known[key] for key in map(fold, map(_header_text, values)) if key in self.known}
        )

    def find_header(self, rows: Iterator[Row], fallback: bool) -> tuple[Row, list[Row]] | None:
        """The header row and the rows under it already read, or None.

        With ``fallback``, a sheet without a row naming enough columns gives the row naming the
        most (at least one), for the refusal to name what is missing.
        """
        best: Row | None = None
        most = 0
        seen: list[Row] = []
        enough = min(ENOUGH_KNOWN, len(set(self.known.values()))) if self.known else 0
        for row in rows:
            number, values, _odd = row
            if self.known is not None and number > HEADER_SEARCH_ROWS:
                seen.append(row)
                break
            if all(is_blank(value) for value in values):
                continue
            self.blank = False
            if self.known is None:
                return row, []
            score = self.header_score(values)
            if score >= enough:
                return row, []
            if score > most:
                best, most = row, score
            seen.append(row)
        if fallback and best is not None:
            return best, [row for row in seen if row[0] > best[0]]
        return None

    def subheader(self, header: Sequence[Any], below: Sequence[Any], top: int) -> list[str] | None:
        """The headers of a two-row header, None when ``below`` is no second header row."""
        if self.known is None:
            return None
        named = [position for position, value in enumerate(header) if not is_blank(value)]
        if not named or any(not is_blank(value) and not isinstance(value, str) for value in below):
            return None
        # Each upper header spans the blank cells to its right.
        width = max(len(header), len(below))
        groups: dict[int, list[int]] = {}
        owner = None
        for position in range(width):
            if position < len(header) and not is_blank(header[position]):
                owner = position
            if owner is not None:
                groups.setdefault(owner, []).append(position)
        # A second header row has text only under headers merged across columns; the other
        # headers are merged down over both rows, leaving blank cells (a data row fills them).
        wide = {position for span in groups.values() if len(span) > 1 for position in span}
        lower = [position for position, value in enumerate(below) if not is_blank(value)]
        if not lower or any(position not in wide for position in lower):
            return None
        headers = [_header_text(value) for value in header] + [""] * (width - len(header))
        taken = {
            self.known[fold(text)]
            for position, text in enumerate(headers)
            if text
            and fold(text) in self.known
            and (position >= len(below) or is_blank(below[position]))
        }
        unresolved: list[tuple[int, int]] = []
        for owner, span in groups.items():
            group = headers[owner]
            left = []
            for position in span:
                text = _header_text(below[position]) if position < len(below) else ""
                if not text:
                    continue
                for candidate in (text, f"{text} {group}", f"{group} {text}"):
                    column = self.known.get(fold(candidate))
                    if column is not None:
                        headers[position] = column
                        taken.add(column)
                        break
                else:
                    left.append(position)
            column = self.known.get(fold(group))
            if len(left) == 1 and column is not None and column not in taken:
                headers[left[0]] = column
                taken.add(column)
            else:
                unresolved += [(owner, position) for position in left]
        if unresolved:
            owner, position = unresolved[0]
            raise TableError(
                _(
                    "Rows %(top)s and %(bottom)s make a two-row header, and “%(lower)s” (cell "
                    "%(cell)s) under “%(upper)s” names no column of this list. Write the header "
                    "on one row: unmerge the cells of row %(top)s, give each column its own "
                    "header there (the columns are listed on this page), and delete row "
                    "%(bottom)s."
                )
                % {
                    "top": top,
                    "bottom": top + 1,
                    "lower": _header_text(below[position]),
                    "upper": _header_text(header[owner]),
                    "cell": _cell(self.named, position, top + 1),
                }
            )
        return headers

    def read(self, rows: Iterable[Row], fallback: bool) -> _SheetTable | None:
        stream = iter(rows)
        found = self.find_header(stream, fallback)
        if found is None:
            return None
        (top, header_values, _odd), pending = found
        headers = [_header_text(value) for value in header_values]
        last = top
        unnamed = [position for position, text in enumerate(headers) if not text]
        signature: list[int] = []
        table: list[tuple[int, Sequence[Any]]] = []
        for number, values, odd in _chain(pending, stream):
            if number == top + 1:
                merged = self.subheader(header_values, values, top)
                if merged is not None:
                    headers, last = merged, number
                    unnamed = [position for position, text in enumerate(headers) if not text]
                    continue
            if all(is_blank(value) for value in values):
                continue
            if signature:
                if not _under_signature(values):
                    raise TableError(
                        _(
                            "Row %(row)s, below the signature block that starts at row "
                            "%(start)s, holds values. The list is read down to its signature "
                            "block: move the row into the list above it, or delete it."
                        )
                        % {"row": _place(self.named, number), "start": signature[0]}
                    )
                signature.append(number)
                continue
            if _signature_row(values):
                signature.append(number)
                continue
            if odd or len(values) > len(headers) or unnamed:
                self.check_row(number, values, odd, headers)
            table.append((number, values))
        columns = [
            (position, text)
            for position, text in enumerate(headers)
            if text and not self.counter(text)
        ]
        return _SheetTable(self.title, top, last, columns, table, signature)

    def counter(self, header: str) -> bool:
        """Whether a column is a row counter, never read: unless the resource has a column of
        that name (a task's "Số thứ tự" is its number in the plan)."""
        folded = fold(header)
        return folded in ROW_COUNTERS and (self.known is None or folded not in self.known)

    def imported(self, header: str) -> bool:
        """Whether a column's values are imported: the resource knows its header."""
        if not header or self.counter(header):
            return False
        return self.known is None or fold(header) in self.known

    def check_row(
        self,
        number: int,
        values: Sequence[Any],
        odd: dict[int, str] | None,
        headers: list[str],
    ) -> None:
        # A value under no header would be lost: the file is refused instead.
        for position, value in enumerate(values):
            header = headers[position] if position < len(headers) else ""
            if not header and not is_blank(value):
                raise TableError(_no_header(_cell(self.named, position, number)))
        for position, kind in (odd or {}).items():
            if self.imported(headers[position]):
                _refuse_cell(kind, values[position], _cell(self.named, position, number))


def _no_header(cell: str) -> str:
    return _(
        "Cell %(cell)s has a value but its column has no header. Give the column a header or "
        "empty the cell."
    ) % {"cell": cell}


def _chain(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


def _refuse_cell(kind: str, value: Any, where: str) -> None:
    if kind == "f":
        # An array formula's value is an object holding its text.
        formula = str(getattr(value, "text", value))
        raise TableError(
            _(
                "Cell %(cell)s holds a formula (%(formula)s). An import takes values only: "
                "copy the sheet and paste it as values (Paste Special › Values), then "
                "import again."
            )
            % {"cell": where, "formula": formula[:40]}
        )
    raise TableError(
        _("Cell %(cell)s shows the error %(error)s: correct it and import again.")
        % {"cell": where, "error": value}
    )


def read_table(
    sheets: list[tuple[str, Callable[[], Iterable[Row]]]],
    known: Mapping[str, str] | None,
    max_rows: int,
) -> Table:
    """The table of a file's sheets, each given by its title and a function streaming its rows.

    ``known`` maps every header the resource accepts, folded, to its column; without it, the
    first sheet's first non-blank row is its header, as for a file of any other program.
    """
    # Sheets are named in messages when several may be read.
    several = known is not None and len(sheets) > 1
    tables: list[_SheetTable] = []
    skipped: list[str] = []
    warnings: list[str] = []
    empty: list[str] = []
    for title, rows in sheets if known is not None else sheets[:1]:
        reader = _Reader(title, known, title if several else "")
        table = reader.read(rows(), fallback=known is None)
        if table is not None:
            tables.append(table)
        elif reader.blank:
            empty.append(title)
        else:
            skipped.append(title)
    anything = bool(tables or skipped)
    if not tables and known is not None:
        # No sheet names enough columns: the first row naming any is the header, for the
        # columns missing to be named.
        for title, rows in sheets:
            table = _Reader(title, known, title if several else "").read(rows(), fallback=True)
            if table is not None:
                tables.append(table)
                if title in skipped:
                    skipped.remove(title)
                break
        else:
            if anything:
                raise TableError(
                    _(
                        "No row among the first %(count)s of the file names a column of this "
                        "list. Write the header (the name of a column in each cell, as listed on "
                        "this page) in the row above the data."
                    )
                    % {"count": HEADER_SEARCH_ROWS}
                )
    if not tables:
        raise TableError(_("The file has no rows."))
    total = sum(len(table.rows) for table in tables)
    if total > max_rows:
        raise TableError(
            _("The file has %(rows)s rows; a file to import may have at most %(limit)s.")
            % {"rows": total, "limit": max_rows}
        )
    if skipped:
        warnings.append(
            _(
                "These sheets were not read, as none of their first %(count)s rows names the "
                "columns of this list: %(sheets)s."
            )
            % {"count": HEADER_SEARCH_ROWS, "sheets": ", ".join(f"“{title}”" for title in skipped)}
        )
    if empty and several:
        warnings.append(
            _("These sheets are empty: %(sheets)s.")
            % {"sheets": ", ".join(f"“{title}”" for title in empty)}
        )
    for table in tables:
        if table.signature:
            first, last = table.signature[0], table.signature[-1]
            rows = f"{first}–{last}" if last != first else str(first)
            warnings.append(
                _("Rows %(rows)s, the signature block below the list, were not imported.")
                % {"rows": _place(table.title if several else "", rows)}
            )
    return Table(_merged(tables, known, several), _parts(tables), warnings)


def _parts(tables: list[_SheetTable]) -> list[SheetPart]:
    return [
        SheetPart(table.title, table.header_row, table.header_last_row, len(table.rows))
        for table in tables
    ]


def _merged(
    tables: list[_SheetTable], known: Mapping[str, str] | None, several: bool
) -> tablib.Dataset:
    """One dataset of the sheets' tables: a column every sheet names under any of its headers
    is one column, headed as the first sheet to give it writes it."""
    keys: list[str] = []
    headers: list[str] = []
    placed: list[list[tuple[int, int]]] = []
    for table in tables:
        used: set[int] = set()
        positions = []
        for position, text in table.columns:
            key = (known or {}).get(fold(text), fold(text))
            index = next(
                (i for i, k in enumerate(keys) if k == key and i not in used and len(tables) > 1),
                None,
            )
            if index is None:
                keys.append(key)
                headers.append(text)
                index = len(keys) - 1
            used.add(index)
            positions.append((position, index))
        placed.append(positions)
    dataset = tablib.Dataset(headers=headers)
    numbers: list[int] = []
    sheets: list[str] = []
    width = len(headers)
    for table, positions in zip(tables, placed, strict=True):
        simple = [position for position, _index in positions]
        in_order = [index for _position, index in positions] == list(range(width))
        for number, values in table.rows:
            if in_order:
                row = [values[p] if p < len(values) else None for p in simple]
            else:
                row = [None] * width
                for position, index in positions:
                    if position < len(values):
                        row[index] = values[position]
            dataset.append(row)
            numbers.append(number)
        sheets += [table.title] * len(table.rows)
    dataset.row_numbers = numbers
    if several and len(tables) > 1:
        dataset.row_sheets = sheets
    return dataset
