"""How spreadsheet cells become records and values, and back: names, choices and dates as people
write them.

A spreadsheet names a unit, a person or an award type the way someone typed it: in another case,
with doubled spaces, in NFD from a Mac keyboard, sometimes without its diacritics. The widgets here
match all of these to the one record meant, and write a record back under a name that reads back
to that record alone.
"""

import datetime
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from movement.text import fold, normalize


def exact_key(text: str) -> str:
    """The key under which names match whatever their case, spacing or Unicode form."""
    return normalize(text).casefold()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class LineWidget(widgets.CharWidget):
    """A one-line text, stored NFC-normalised with its runs of white space collapsed.

    Without this, a name typed in NFD or with a doubled space would not equal the stored one, and
    a re-imported file would "update" records it did not change.
    """

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        return normalize(super().clean(value, row, **kwargs) or "")


class TextWidget(widgets.CharWidget):
    """A free text kept as written, line breaks included; an empty cell is an empty text."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        return super().clean(value, row, **kwargs) or ""


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
        return super().clean(value, row, **kwargs)


class UUIDWidget(widgets.Widget):
    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> uuid.UUID | None:
        if is_blank(value):
            return None
        return uuid.UUID(str(value).strip())

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A choice written as its label in the user's language.

    The stored code, or the label in any of the site's languages, reads back; ``written`` replaces
    the label where a choice has a fixed Vietnamese name.
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
        self._codes: dict[str, str] | None = None

    def aliases(self, code: str, label: Any) -> set[str]:
        names = {code, self.written.get(code, "")}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(str(label))
        return {fold(name) for name in names if name}

    def codes(self) -> dict[str, str]:
        if self._codes is None:
            self._codes = {
                alias: code
                for code, label in self.choices
                if code
                for alias in self.aliases(code, label)
            }
        return self._codes

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        if is_blank(value):
            return ""
        try:
            return self.codes()[fold(str(value))]
        except KeyError:
            allowed = ", ".join(self.render(code) for code, _label in self.choices if code)
            raise ValueError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed}
            ) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if not value:
            return ""
        if value in self.written:
            return self.written[value]
        return str(dict(self.choices).get(value, value))


class AwardClassWidget(ChoiceWidget):
    """An award's class written as in its Vietnamese name ("hạng Ba"); "Ba" or "3" read too."""

    def aliases(self, code: str, label: Any) -> set[str]:
        names = super().aliases(code, label)
        return names | {name.removeprefix("hang ") for name in names}


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
        match = self._GROUP.match(fold(str(value)))
        if match is None or match.group(2) not in self.kinds or int(match.group(1)) < 1:
            raise ValueError(
                _("Write an unnamed group as a count and a kind, e.g. “3 tập thể”: “%(value)s”.")
                % {"value": value}
            )
        return int(match.group(1)), self.kinds[match.group(2)]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        count, kind = value or (None, "")
        return self.label(count, kind) if count else ""


class _Index:
    """Records by the keys they can be written as, loose (diacritics ignored) and exact."""

    def __init__(self) -> None:
        self.exact: dict[tuple[Any, str], list[models.Model]] = defaultdict(list)
        self.loose: dict[tuple[Any, str], list[models.Model]] = defaultdict(list)

    def add(self, scope: Any, names: Iterable[str], record: models.Model) -> None:
        for index, key_of in ((self.exact, exact_key), (self.loose, fold)):
            for key in {key_of(name) for name in names if name}:
                index[scope, key].append(record)

    def find(self, scope: Any, text: str) -> list[models.Model]:
        # A name that matches exactly wins over one that only matches without diacritics,
        # so "Lê" never turns into "Lệ" when both exist.
        return self.exact.get((scope, exact_key(text))) or self.loose.get((scope, fold(text)), [])


class NamedRecordWidget(widgets.ForeignKeyWidget):
    """A related record written as its name (or one of ``names``), or as its code.

    A record is written as its first name unless another record shares that name; it is then
    written as its code, so an exported file always reads back to the same records.
    """

    def __init__(
        self,
        model: type[models.Model],
        names: Sequence[str] = ("name",),
        code: str | None = "slug",
        **kwargs: Any,
    ) -> None:
        super().__init__(model, **kwargs)
        self.names = tuple(names)
        self.code = code
        self._index: _Index | None = None

    def scope_of(self, record: models.Model) -> Any:
        """What else, besides its name, tells the record apart (an award type's class)."""
        return None

    def scope_of_row(self, row: dict | None) -> Any:
        return None

    def written_names(self, record: models.Model) -> list[str]:
        names = [getattr(record, name) for name in self.names]
        return [*names, getattr(record, self.code)] if self.code else names

    def index(self, refresh: bool = False) -> _Index:
        if self._index is None or refresh:
            self._index = _Index()
            # Long texts (a source's full text, quotes) are never matched on; leave them unread.
            texts = [
                field.name
                for field in self.model._meta.concrete_fields
                if isinstance(field, models.TextField)
            ]
            for record in self.model._default_manager.defer(*texts):
                self._index.add(self.scope_of(record), self.written_names(record), record)
        return self._index

    def find(self, text: str, row: dict | None = None) -> models.Model:
        scope = self.scope_of_row(row)
        found = self.index().find(scope, text)
        if not found:
            # An earlier row of the same file may have just created it.
            found = self.index(refresh=True).find(scope, text)
        if not found:
            raise ValueError(
                _("No %(record)s is named “%(name)s”.")
                % {"record": self.model._meta.verbose_name, "name": text}
            )
        if len(found) > 1:
            raise ValueError(
                _("“%(name)s” could be any of these %(records)s: %(codes)s.")
                % {
                    "name": text,
                    "records": self.model._meta.verbose_name_plural,
                    "codes": ", ".join(
                        str(getattr(record, self.code) if self.code else record) for record in found
                    ),
                }
            )
        return found[0]

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> models.Model | None:
        if is_blank(value):
            return None
        return self.find(str(value), row)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        name = getattr(value, self.names[0])
        if self.code is None:
            return name
        found = self.index().find(self.scope_of(value), name)
        return name if [record.pk for record in found] == [value.pk] else getattr(value, self.code)


class NamedRecordsWidget(widgets.ManyToManyWidget):
    """Several related records in one cell, separated by semicolons (names hold commas)."""

    def __init__(self, record: NamedRecordWidget, **kwargs: Any) -> None:
        super().__init__(record.model, separator=";", **kwargs)
        self.record = record

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> list[models.Model]:
        if is_blank(value):
            return []
        names = [name.strip() for name in str(value).split(self.separator) if name.strip()]
        return [self.record.find(name) for name in names]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return f"{self.separator} ".join(self.record.render(record) for record in value.all())


class AwardTypeWidget(NamedRecordWidget):
    """An award type written as its name, with its class (hạng) in a column of its own."""

    def __init__(self, model: type[models.Model], class_column: str, classes: ChoiceWidget):
        super().__init__(model, names=("name",), code=None)
        self.class_column = class_column
        self.classes = classes

    def scope_of(self, record: models.Model) -> str:
        return record.award_class

    def scope_of_row(self, row: dict | None) -> str:
        return self.classes.clean((row or {}).get(self.class_column))


class WorkPlanWidget(widgets.ForeignKeyWidget):
    """A work plan written as its unit, with its year in a column of its own."""

    def __init__(self, model: type[models.Model], units: NamedRecordWidget, year_column: str):
        super().__init__(model)
        self.units = units
        self.year_column = year_column
        self._plans: dict[tuple[int, int], models.Model] = {}

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> models.Model | None:
        unit = self.units.clean(value)
        if unit is None:
            return None
        year = widgets.IntegerWidget().clean((row or {}).get(self.year_column))
        if year is None:
            raise ValueError(_("Give the year of %(unit)s's work plan.") % {"unit": unit})
        if (unit.pk, year) not in self._plans:
            try:
                self._plans[unit.pk, year] = self.model._default_manager.get(unit=unit, year=year)
            except self.model.DoesNotExist:
                raise ValueError(
                    _("%(unit)s has no work plan for %(year)s.") % {"unit": unit, "year": year}
                ) from None
        return self._plans[unit.pk, year]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else self.units.render(value.unit)


class WorkAreaWidget(widgets.ForeignKeyWidget):
    """A work area written as "3. Name" (or its number, or its name) within the row's plan."""

    _NUMBERED = re.compile(r"^(\d+)\s*[.)]?\s*(.*)$")

    def __init__(self, model: type[models.Model], plans: WorkPlanWidget, plan_column: str):
        super().__init__(model)
        self.plans = plans
        self.plan_column = plan_column
        self._areas: dict[int, list[models.Model]] = {}

    def areas(self, plan: models.Model, refresh: bool = False) -> list[models.Model]:
        if plan.pk not in self._areas or refresh:
            self._areas[plan.pk] = list(self.model._default_manager.filter(plan=plan))
        return self._areas[plan.pk]

    def match(self, areas: list[models.Model], text: str) -> list[models.Model]:
        numbered = self._NUMBERED.match(text.strip())
        if numbered:
            return [area for area in areas if area.number == int(numbered.group(1))]
        exact = [area for area in areas if exact_key(area.name) == exact_key(text)]
        return exact or [area for area in areas if fold(area.name) == fold(text)]

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> models.Model | None:
        if is_blank(value):
            return None
        plan = self.plans.clean((row or {}).get(self.plan_column), row)
        if plan is None:
            raise ValueError(_("A work area needs the plan it belongs to."))
        text = str(value)
        found = self.match(self.areas(plan), text) or self.match(self.areas(plan, True), text)
        if len(found) != 1:
            raise ValueError(
                _("%(plan)s has no single work area “%(area)s”.") % {"plan": plan, "area": text}
            )
        return found[0]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)
