"""Cells as plain values, and back: text, yes/no, dates, numbers, years, codes, choices and
unnamed groups, read as people write them and written so that they read back the same.
"""

import datetime
import functools
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from movement.text import bare_key, fold, has_marks, name_key, normalize, normalize_text

# The keys are remembered: an export or import asks for the same few thousand names again and
# again, and each costs a pass over every character.
exact_key = functools.lru_cache(maxsize=1 << 16)(name_key)
loose_key = functools.lru_cache(maxsize=1 << 16)(bare_key)
marked = functools.lru_cache(maxsize=1 << 16)(has_marks)


def typed_keys(text: str) -> frozenset[str]:
    """The keys a typed name matches under: its exact key and, when it was typed without any
    mark, its bare key too (see movement.text)."""
    if marked(text):
        return frozenset((exact_key(text),))
    return frozenset((exact_key(text), loose_key(text)))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class LineWidget(widgets.CharWidget):
    """A one-line text, stored NFC-normalised with its runs of white space collapsed, as the
    model stores it (movement.models.fields.LineField).

    Without this, a name typed in NFD or with a doubled space would not equal the stored one, and
    a re-imported file would "update" records it did not change.
    """

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        return normalize(super().clean(value, row, **kwargs) or "")


class TextWidget(widgets.CharWidget):
    """A free text kept as written, line breaks included, stored as the model stores text (NFC,
    LF line breaks: movement.models.fields.TextField); an empty cell is an empty text."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        return normalize_text(super().clean(value, row, **kwargs) or "")


class YesNoWidget(widgets.Widget):
    """A yes/no cell written "có" or "không", as Vietnamese spreadsheets do.

    The stock widget reads anything it does not know, "có" included, as False; this one refuses it.
    """

    YES = "có"
    NO = "không"
    _READ = {
        **dict.fromkeys(["co", "x", "1", "true", "yes", "y"], True),
        **dict.fromkeys(["khong", "0", "false", "no", "n"], False),
    }

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        if is_blank(value):
            return False
        try:
            return self._READ[fold(str(value))]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is neither “có” nor “không”.") % {"value": value}
            ) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return self.YES if value else self.NO


class DateWidget(widgets.DateWidget):
    """A date written day first (31/12/2017), as in Vietnam; ISO dates read as well.

    Django's default input formats try the American month-first order, which would read
    03/04/2017 as the 4th of March.
    """

    FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")

    def __init__(self, coerce_to_string: bool = True) -> None:
        super().__init__(coerce_to_string=coerce_to_string)
        self.formats = self.FORMATS

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> datetime.date | None:
        # A date cell of an .xlsx file reads back as a datetime at midnight.
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, str):
            value = value.strip()
            # The usual spelling, read directly: strptime takes several times as long.
            day_first = _DAY_FIRST.match(value)
            if day_first:
                day, month, year = map(int, day_first.groups())
                try:
                    return datetime.date(year, month, day)
                except ValueError:
                    pass
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date: write it day first, e.g. 31/12/2017.")
                % {"value": value}
            ) from None


_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class NumberWidget(widgets.IntegerWidget):
    """A whole number, typed ("12") or from a number cell (12, or 12.0 as Excel keeps it)."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> int | None:
        if is_blank(value):
            return None
        if isinstance(value, bool):
            raise self.refused(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if not value.is_integer():
                raise self.refused(value)
            return int(value)
        if not isinstance(value, str) or not _WHOLE_NUMBER.match(value.strip()):
            raise self.refused(value)
        return int(float(value)) if "." in value else int(value)

    def refused(self, value: Any) -> ValueError:
        return ValueError(_("“%(value)s” is not a whole number.") % {"value": value})


_WHOLE_NUMBER = re.compile(r"^[-+]?\d{1,9}(\.0)?$")


class YearWidget(NumberWidget):
    """A year written alone (2017). A date in a year column is refused rather than guessed at:
    an award for 2016 is often decided in 2017."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> int | None:
        if isinstance(value, datetime.date):
            raise self.refused(value.strftime("%d/%m/%Y"))
        return super().clean(value, row, **kwargs)

    def refused(self, value: Any) -> ValueError:
        return ValueError(
            _("“%(value)s” is not a year: write the year alone, e.g. 2017.") % {"value": value}
        )


class UUIDWidget(widgets.Widget):
    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> uuid.UUID | None:
        if is_blank(value):
            return None
        try:
            return uuid.UUID(str(value).strip())
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a record key; leave the cell empty for a new record.")
                % {"value": value}
            ) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A choice written as its label in the user's language.

    The stored code, or the label in any of the site's languages, reads back; ``written`` replaces
    the label where a choice has a fixed Vietnamese name. A label typed with marks must have the
    label's marks; one typed without any reads when it fits one choice only.
    """

    def __init__(
        self,
        choices: Iterable[tuple[str, Any]],
        written: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.written = written or {}
        self._codes: tuple[dict[str, str], dict[str, set[str]]] | None = None

    def aliases(self, code: str, label: Any) -> set[str]:
        """The names a choice may be written as."""
        names = {code, self.written.get(code, "")}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(str(label))
        return {name for name in names if name}

    def codes(self) -> tuple[dict[str, str], dict[str, set[str]]]:
        """The choices' codes by the exact key of each alias, and by its bare key."""
        if self._codes is None:
            exact: dict[str, str] = {}
            loose: dict[str, set[str]] = defaultdict(set)
            for code, label in self.choices:
                if not code:
                    continue
                for alias in self.aliases(code, label):
                    exact[exact_key(alias)] = code
                    loose[loose_key(alias)].add(code)
            self._codes = (exact, loose)
        return self._codes

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        if is_blank(value):
            return ""
        text = str(value)
        exact, loose = self.codes()
        code = exact.get(exact_key(text))
        if code is None and not marked(text):
            fits = loose.get(loose_key(text), set())
            code = next(iter(fits)) if len(fits) == 1 else None
        if code is None:
            allowed = ", ".join(self.render(code) for code, _label in self.choices if code)
            raise ValueError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed}
            )
        return code

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if not value:
            return ""
        if value in self.written:
            return self.written[value]
        return str(dict(self.choices).get(value, value))


class AwardClassWidget(ChoiceWidget):
    """An award's class written as in its Vietnamese name ("hạng Ba"); "Ba" or "3" read too."""

    _CLASS_WORD = re.compile(r"^\s*(hạng|hang)\s+", re.IGNORECASE)

    def aliases(self, code: str, label: Any) -> set[str]:
        names = super().aliases(code, label)
        return names | {self._CLASS_WORD.sub("", normalize(name)) for name in names}


class GroupWidget(widgets.Widget):
    """An unnamed group written as a report counts it: "3 tập thể", "5 cá nhân".

    Reads and writes a (count, kind) pair; ``label`` is how the model writes a group.
    """

    _GROUP = re.compile(r"^(\d+)\s*(.*)$")

    def __init__(self, kinds: dict[str, str], label: Callable[[int, str], str], **kwargs: Any):
        super().__init__(**kwargs)
        self.kinds = {fold(name): kind for kind, name in kinds.items()}
        self.label = label

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> tuple[int | None, str]:
        if is_blank(value):
            return None, ""
        match = self._GROUP.match(loose_key(str(value)))
        if match is None or match.group(2) not in self.kinds or int(match.group(1)) < 1:
            raise ValueError(
                _("Write an unnamed group as a count and a kind, e.g. “3 tập thể”: “%(value)s”.")
                % {"value": value}
            )
        return int(match.group(1)), self.kinds[match.group(2)]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        count, kind = value or (None, "")
        return self.label(count, kind) if count else ""
