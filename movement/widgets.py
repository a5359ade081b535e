"""How spreadsheet cells become records and values, and back: names, choices and dates as people
write them.

A spreadsheet names a unit, a person or an award type the way someone typed it: in another case,
with doubled spaces, in NFD from a Mac keyboard, sometimes without its diacritics. The widgets here
match all of these to the one record meant, and write a record back under a name that reads back
to that record alone.
"""

import datetime
import difflib
import functools
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Q
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from movement.text import fold, normalize, normalize_text

# Both keys are remembered: an export or import asks for the same few thousand names again and
# again, and the loose one costs a pass over every character.
loose_key = functools.lru_cache(maxsize=1 << 16)(fold)


@functools.lru_cache(maxsize=1 << 16)
def exact_key(text: str) -> str:
    """The key under which names match whatever their case, spacing or Unicode form."""
    return normalize(text).casefold()


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
            return self.codes()[loose_key(str(value))]
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


class _Index:
    """Records by the keys they can be written as, loose (diacritics ignored) and exact.

    Each key leads to the (scope, record) pairs written so; a lookup keeps those of its scope.
    """

    def __init__(self) -> None:
        self.exact: dict[str, list[tuple[Any, models.Model]]] = defaultdict(list)
        self.loose: dict[str, list[tuple[Any, models.Model]]] = defaultdict(list)
        self.indexed: set[Any] = set()

    def add(self, scope: Any, names: Iterable[str], record: models.Model) -> None:
        if record.pk in self.indexed:
            return
        self.indexed.add(record.pk)
        for index, key_of in ((self.exact, exact_key), (self.loose, loose_key)):
            for key in {key_of(name) for name in names if name}:
                index[key].append((scope, record))

    def find(self, scope: Any, text: str) -> list[models.Model]:
        # A name that matches exactly wins over one that only matches without diacritics,
        # so "Lê" never turns into "Lệ" when both exist.
        for index, key_of in ((self.exact, exact_key), (self.loose, loose_key)):
            found = [record for where, record in index.get(key_of(text), ()) if where == scope]
            if found:
                return found
        return []


# Suggestions for an unknown name are looked for among this many unknown names of a column at
# most: each search reads every name of the table.
SUGGESTED_NAMES = 20


class NamedRecordWidget(widgets.ForeignKeyWidget):
    """A related record written as its name (or one of ``names``), or as its code.

    A record is written as its first name unless another record answers to that name too; it is
    then written as its code, so an exported file always reads back to the same records.

    Reading never loads a whole table: :meth:`prepare` is given the names a file uses and finds the
    records they could mean in a few queries, and a name it was not given is looked up alone.
    """

    # The field that, besides the name, tells records apart (an award type's class).
    scope_field: str | None = None
    # Related records read with each match, for what the widget checks of it.
    load_related: tuple[str, ...] = ()

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
        self._index = _Index()
        self._looked_up: set[str] = set()
        self._found: dict[tuple[Any, str], list[models.Model]] = {}
        self._newest: int | None = None
        # What is computed over the whole table, shared by the widgets of a resource that read
        # the same records (see share_tables).
        self.tables: dict[str, Any] = {}
        self._suggested = 0

    def scope_of(self, record: models.Model) -> Any:
        """What else, besides its name, tells the record apart (an award type's class)."""
        return getattr(record, self.scope_field) if self.scope_field else None

    def scope_of_row(self, row: dict | None) -> Any:
        return None

    def written_names(self, record: models.Model) -> list[str]:
        names = [getattr(record, name) for name in self.names]
        return [*names, getattr(record, self.code)] if self.code else names

    # -- Reading --------------------------------------------------------------------------------

    def prepare(self, texts: Iterable[Any]) -> None:
        """Find, in a few queries, every record that one of ``texts`` could name."""
        wanted = {str(text) for text in texts if not is_blank(text)} - self._looked_up
        if not wanted:
            return
        self._looked_up |= wanted
        self._load(self.known(), wanted, cached=True)

    def known(self) -> models.QuerySet:
        """The records there were when the file was first read; rows may add more."""
        if self._newest is None:
            self._newest = self.model._default_manager.aggregate(newest=Max("pk"))["newest"] or 0
        return self.model._default_manager.filter(pk__lte=self._newest)

    def distinct_names(self, records: models.QuerySet, name: str, cached: bool) -> list[tuple]:
        """Each distinct value of the field ``name`` with its exact and loose keys: a few
        thousand even where people number hundreds of thousands, read and folded once."""
        if cached and f"distinct:{name}" in self.tables:
            return self.tables[f"distinct:{name}"]
        values = records.order_by().values_list(name, flat=True).distinct()
        found = [(value, exact_key(value), loose_key(value)) for value in values if value]
        if cached:
            self.tables[f"distinct:{name}"] = found
        return found

    def _load(self, records: models.QuerySet, texts: set[str], cached: bool = False) -> None:
        exact = {exact_key(text) for text in texts}
        matches = Q()
        if self.code:
            matches |= Q(**{f"{self.code}__in": {text.strip() for text in texts} | exact})
        for name in self.names:
            found = self.stored_names(records, name, texts, cached)
            if found:
                matches |= Q(**{f"{name}__in": found})
        if matches:
            self._add(records.filter(matches))

    def stored_names(
        self, records: models.QuerySet, name: str, texts: Iterable[str], cached: bool
    ) -> set[str]:
        """The values of the field ``name`` that one of ``texts`` matches."""
        by_exact, by_loose = self.names_by_key(records, name, cached)
        found: set[str] = set()
        for text in texts:
            found.update(by_exact.get(exact_key(text), ()))
            found.update(by_loose.get(loose_key(text), ()))
        return found

    def names_by_key(
        self, records: models.QuerySet, name: str, cached: bool
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """The distinct values of the field ``name`` by their exact and by their loose key.

        Names are compared folded, which no database does alike: the distinct names are read
        and folded once, and then looked up by key, once for each unit a file names people in.
        """
        if cached and f"by_key:{name}" in self.tables:
            return self.tables[f"by_key:{name}"]
        by_exact: dict[str, tuple[str, ...]] = {}
        by_loose: dict[str, tuple[str, ...]] = {}
        # Tuples of texts, unlike sets, are left alone by Python's garbage collector, which an
        # import of thousands of rows would otherwise have walk tens of thousands of them.
        for value, exact_value, loose_value in self.distinct_names(records, name, cached):
            by_exact[exact_value] = (*by_exact.get(exact_value, ()), value)
            by_loose[loose_value] = (*by_loose.get(loose_value, ()), value)
        found = (by_exact, by_loose)
        if cached:
            self.tables[f"by_key:{name}"] = found
        return found

    def _add(self, matched: models.QuerySet) -> None:
        """Index the records of ``matched`` under the names they are written as."""
        # Long texts (a source's full text, quotes) are never matched on; leave them unread.
        texts_fields = [
            field.name
            for field in self.model._meta.concrete_fields
            if isinstance(field, models.TextField)
        ]
        matched = matched.select_related(*self.load_related).defer(*texts_fields)
        for record in matched.iterator(chunk_size=2000):
            self._index.add(self.scope_of(record), self.written_names(record), record)

    def _refresh(self, text: str) -> None:
        """Look again for ``text`` among the records added since the first lookup: an earlier
        row of the same file may have just created it."""
        newest = self.model._default_manager.aggregate(newest=Max("pk"))["newest"] or 0
        if newest > (self._newest or 0):
            # A record added may share a name already matched.
            self._found.clear()
            added = self.model._default_manager.filter(pk__gt=self._newest or 0, pk__lte=newest)
            self._newest = newest
            self._load(added, {text} | self._looked_up)

    def candidates(self, scope: Any, text: str, refresh: bool = True) -> list[models.Model]:
        """The records ``text`` could name; with ``refresh``, looked for again among records
        added since, at the cost of a query, when none is known yet."""
        found = self._found.get((scope, text))
        if found:
            return found
        if text not in self._looked_up:
            self.prepare([text])
        found = self._index.find(scope, text)
        if not found and refresh:
            self._refresh(text)
            found = self._index.find(scope, text)
        if found:
            # A file names the same few records on thousands of rows: each name is keyed and
            # matched once.
            self._found[scope, text] = found
        return found

    def close_names(self, text: str) -> list[str]:
        """Names of the table close to ``text``, for a message about a name none has."""
        if self._suggested >= SUGGESTED_NAMES:
            return []
        self._suggested += 1
        names: dict[str, str] = {}
        for name in self.names:
            every = self.model._default_manager.all()
            for value, _exact, loose in self.distinct_names(every, name, cached=True):
                names.setdefault(loose, value)
        close = difflib.get_close_matches(fold(text), names, n=3, cutoff=0.75)
        return [names[key] for key in close]

    def not_found(self, text: str) -> ValueError:
        message = _("No %(record)s is named “%(name)s”.") % {
            "record": self.model._meta.verbose_name,
            "name": text,
        }
        close = self.close_names(text)
        if close:
            message += " " + _("Close names: %(names)s.") % {
                "names": ", ".join(f"“{name}”" for name in close)
            }
        return ValueError(message)

    def ambiguous(self, text: str, found: list[models.Model]) -> ValueError:
        return ValueError(
            _("“%(name)s” could be any of these %(records)s: %(codes)s.")
            % {
                "name": text,
                "records": self.model._meta.verbose_name_plural,
                "codes": ", ".join(
                    str(getattr(record, self.code) if self.code else record) for record in found
                ),
            }
        )

    def find(self, text: str, row: dict | None = None) -> models.Model:
        found = self.candidates(self.scope_of_row(row), text)
        if not found:
            raise self.not_found(text)
        if len(found) > 1:
            raise self.ambiguous(text, found)
        return found[0]

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> models.Model | None:
        if is_blank(value):
            return None
        return self.find(str(value), row)

    # -- Writing --------------------------------------------------------------------------------

    def ambiguous_keys(self) -> set[tuple[Any, str]]:
        """The (scope, name) keys more than one record answers to, computed once.

        A record whose first name is one of these is written as its code. Counted on the
        distinct names the database groups, so a table of people costs one grouped query.
        """
        if "ambiguous" in self.tables:
            return self.tables["ambiguous"]
        counts: Counter[tuple[Any, str]] = Counter()
        manager = self.model._default_manager.order_by()
        # Each row read starts with the scope when there is one.
        scope = [self.scope_field] if self.scope_field else []
        width = len(scope)

        def where(row: tuple) -> Any:
            return row[0] if scope else None

        if len(self.names) == 1:
            grouped = manager.values_list(*scope, self.names[0]).annotate(n=Count("pk"))
            for row in grouped:
                if row[width]:
                    counts[where(row), exact_key(row[width])] += row[width + 1]
        else:
            # A record counts once for a key, even when two of its names are spelled alike.
            for row in manager.values_list(*scope, *self.names).iterator(chunk_size=2000):
                for key in {exact_key(name) for name in row[width:] if name}:
                    counts[where(row), key] += 1
        if self.code:
            # A code is unique, but a name may be spelled like another record's code.
            codes = {key for _scope, key in counts if _CODE.match(key)}
            records = manager.filter(**{f"{self.code}__in": codes})
            for row in records.values_list(*scope, self.code, *self.names):
                code = exact_key(row[width])
                if code not in {exact_key(name) for name in row[width + 1 :] if name}:
                    counts[where(row), code] += 1
        self.tables["ambiguous"] = {key for key, count in counts.items() if count > 1}
        return self.tables["ambiguous"]

    def written(self, name: str | None, code: str | None, scope: Any = None) -> str:
        """How a record with this first name, code and scope is written in a cell."""
        if name is None:
            return ""
        if self.code is None or (scope, exact_key(name)) not in self.ambiguous_keys():
            return name
        return code or name

    def export_lookups(self, attribute: str) -> list[str]:
        """The values a query reads to write the record at ``attribute`` without loading it."""
        code = self.code or "pk"
        scope = self.scope_field or "pk"
        return [f"{attribute}__{self.names[0]}", f"{attribute}__{code}", f"{attribute}__{scope}"]

    def written_from(self, name: str | None, code: Any, scope: Any, *more: Any) -> str:
        """:meth:`written` from the values :meth:`export_lookups` named."""
        return self.written(name, code if self.code else None, scope if self.scope_field else None)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return self.written(
            getattr(value, self.names[0]),
            getattr(value, self.code) if self.code else None,
            self.scope_of(value),
        )


# People read as records in one query, by key.
PEOPLE_PER_QUERY = 10_000


class PersonWidget(NamedRecordWidget):
    """A person written as their full name; namesakes as "Full Name (Unit)", or by code.

    "Nguyễn Văn An (Phòng Tham mưu)" reads as the Nguyễn Văn An of that unit, whose unit may be
    written by its full name, short name or code.
    """

    load_related = ("unit",)
    _WITH_UNIT = re.compile(r"^(.*\S)\s*\(([^()]+)\)\s*$")

    def __init__(self, model: type[models.Model], **kwargs: Any) -> None:
        super().__init__(model, names=("full_name",), code="slug", **kwargs)

    def prepare(self, texts: Iterable[Any]) -> None:
        texts = [str(text) for text in texts if not is_blank(text)]
        super().prepare(texts)
        # "Name (Unit)" is looked for among the people of the units written after that name
        # only: across a ministry a common name is shared by thousands of people, and a unit's
        # name ("Phòng Tổ chức cán bộ") by a unit of every province.
        names_by_unit: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            if match := self._WITH_UNIT.match(text.strip()):
                name, unit = match.groups()
                if name not in self._looked_up:
                    names_by_unit[unit.strip()].add(name)
        if not names_by_unit:
            return
        people = self.known()
        # Which units each stored name is wanted in; then the people of those names, read as
        # bare values, and only those in one of the units read as records.
        wanted: dict[str, set[int]] = defaultdict(set)
        for unit, names in names_by_unit.items():
            units = self.units_named(unit)
            for value in self.stored_names(people, "full_name", names, cached=True):
                wanted[value] |= units
            self._looked_up |= names
        namesakes = people.filter(full_name__in=wanted).values_list("pk", "full_name", "unit")
        chosen = [
            pk for pk, name, unit in namesakes.iterator(chunk_size=5000) if unit in wanted[name]
        ]
        # In chunks: SQLite takes at most 32,766 values in one statement.
        for start in range(0, len(chosen), PEOPLE_PER_QUERY):
            self._add(people.filter(pk__in=chosen[start : start + PEOPLE_PER_QUERY]))

    def units_named(self, text: str) -> set[int]:
        """The keys of the units whose full name, short name or code is ``text``."""
        if "units_by_key" not in self.tables:
            by_key: dict[str, set[int]] = defaultdict(set)
            units = self.model._meta.get_field("unit").related_model._default_manager
            for pk, *names in units.values_list("pk", "name", "short_name", "slug"):
                for key in unit_keys(*names):
                    by_key[key].add(pk)
            self.tables["units_by_key"] = by_key
        by_key = self.tables["units_by_key"]
        return set().union(*(by_key.get(key, ()) for key in unit_keys(text)))

    def find(self, text: str, row: dict | None = None) -> models.Model:
        match = self._WITH_UNIT.match(text.strip())
        # "Name (Unit)" is rarely a person's whole name: looking for it among records added
        # since the first lookup would cost a query on every such row, so that waits until
        # the name and unit fail to find one person.
        if match and not self.candidates(None, text, refresh=False):
            name, unit = match.groups()
            typed = unit_keys(unit)
            found = [
                person
                for person in self.candidates(None, name)
                if person.unit_id and not typed.isdisjoint(self.keys_of_unit(person.unit))
            ]
            if len(found) == 1:
                return found[0]
            if found:
                raise self.ambiguous(text, found)
        return super().find(text, row)

    def keys_of_unit(self, unit: models.Model) -> frozenset[str]:
        """:func:`unit_keys` of a unit, computed once per file: a common name may have
        hundreds of namesakes to tell apart by their units."""
        keys = self.tables.setdefault("unit_keys", {})
        if unit.pk not in keys:
            keys[unit.pk] = unit_keys(unit.name, unit.short_name, unit.slug)
        return keys[unit.pk]

    def ambiguous(self, text: str, found: list[models.Model]) -> ValueError:
        return ValueError(
            _(
                "“%(name)s” could be any of these people: %(people)s. Write the unit after the "
                "name, e.g. “%(example)s”, or the code."
            )
            % {
                "name": text,
                "people": ", ".join(
                    f"{person.full_name} ({person.unit or '—'}, {person.slug})" for person in found
                ),
                "example": f"{found[0].full_name} ({found[0].unit or '…'})",
            }
        )

    def namesakes_by_unit(self) -> Counter[tuple[str, str]]:
        """How many namesakes share each (name, unit) pair, for people written with their unit."""
        if "by_unit" not in self.tables:
            ambiguous = {key for _scope, key in self.ambiguous_keys()}
            by_unit: Counter[tuple[str, str]] = Counter()
            people = self.model._default_manager.order_by().values_list(
                "full_name", "unit__name", "unit__short_name"
            )
            for name, unit_name, unit_short in people.iterator(chunk_size=5000):
                key = exact_key(name)
                if key in ambiguous:
                    by_unit[key, exact_key(unit_short or unit_name or "")] += 1
            self.tables["by_unit"] = by_unit
        return self.tables["by_unit"]

    def written_with_unit(
        self, name: str | None, code: str | None, unit_name: str | None, unit_short: str | None
    ) -> str:
        if name is None:
            return ""
        key = exact_key(name)
        if (None, key) not in self.ambiguous_keys():
            return name
        unit = unit_short or unit_name
        if unit and self.namesakes_by_unit()[key, exact_key(unit)] == 1:
            return f"{name} ({unit})"
        return code or name

    def export_lookups(self, attribute: str) -> list[str]:
        return [
            *super().export_lookups(attribute),
            f"{attribute}__unit__name",
            f"{attribute}__unit__short_name",
        ]

    def written_from(self, name: str | None, code: Any, scope: Any, *more: Any) -> str:
        unit_name, unit_short = more
        return self.written_with_unit(name, code, unit_name, unit_short)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        unit = value.unit
        return self.written_with_unit(
            value.full_name,
            value.slug,
            unit.name if unit else None,
            unit.short_name if unit else None,
        )


def unit_keys(*names: str | None) -> frozenset[str]:
    """The keys under which a unit's names (full, short, code) match what is typed: exactly,
    whatever the case, spacing or Unicode form, or without diacritics. Two spellings name the
    same unit when their keys meet."""
    return frozenset(key for name in names if name for key in (exact_key(name), loose_key(name)))


def share_tables(widgets_: Iterable[Any]) -> None:
    """Let the widgets that read the same records (a resource's recipient and presenter, both
    people) share what they compute over the whole table, so it is computed once."""
    shared: dict[tuple, dict[str, Any]] = {}
    for widget in widgets_:
        if isinstance(widget, NamedRecordWidget):
            signature = (type(widget), widget.model, widget.names, widget.code)
            widget.tables = shared.setdefault(signature, widget.tables)


# What a code (slug) looks like: a name spelled so may be confused with one.
_CODE = re.compile(r"^[-\w]+$", re.ASCII)


class NamedRecordsWidget(widgets.ManyToManyWidget):
    """Several related records in one cell, separated by semicolons (names hold commas)."""

    def __init__(self, record: NamedRecordWidget, **kwargs: Any) -> None:
        super().__init__(record.model, separator=";", **kwargs)
        self.record = record

    def split(self, value: Any) -> list[str]:
        if is_blank(value):
            return []
        return [name.strip() for name in str(value).split(self.separator) if name.strip()]

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> list[models.Model]:
        return [self.record.find(name) for name in self.split(value)]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return f"{self.separator} ".join(self.record.render(record) for record in value.all())


class AwardTypeWidget(NamedRecordWidget):
    """An award type written as its name, with its class (hạng) in a column of its own."""

    scope_field = "award_class"

    def __init__(self, model: type[models.Model], class_column: str, classes: ChoiceWidget):
        super().__init__(model, names=("name",), code=None)
        self.class_column = class_column
        self.classes = classes

    def scope_of_row(self, row: dict | None) -> str:
        return self.classes.clean((row or {}).get(self.class_column))

    def find(self, text: str, row: dict | None = None) -> models.Model:
        scope = self.scope_of_row(row)
        if not self.candidates(scope, text):
            # The name may exist in another class: say which classes it has.
            classes = {
                record.award_class
                for key_of, index in ((exact_key, self._index.exact), (fold, self._index.loose))
                for _scope, record in index.get(key_of(text), ())
            }
            if classes:
                raise ValueError(
                    _("“%(name)s” has no class “%(class)s”; its classes are: %(classes)s.")
                    % {
                        "name": text,
                        "class": self.classes.render(scope) or _("no class"),
                        "classes": ", ".join(
                            sorted(self.classes.render(code) or _("no class") for code in classes)
                        ),
                    }
                )
        return super().find(text, row)


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
        year = YearWidget().clean((row or {}).get(self.year_column))
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
