"""Cells that name records, and back: units, people, award types, plans and work areas by name.

A spreadsheet names a unit, a person or an award type the way someone typed it: in another case,
with doubled spaces, in NFD from a Mac keyboard, sometimes without its diacritics. The widgets here
match all of these to the one record meant, and write a record back under a name that reads back
to that record alone.
"""

import dataclasses
import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _
from import_export import widgets

from movement.spreadsheets.cells import (
    ChoiceWidget,
    YearWidget,
    exact_key,
    is_blank,
    loose_key,
    marked,
    typed_keys,
)
from movement.text import name_key


class _Index:
    """Records by the keys they can be written as, exact and bare (see movement.text).

    Each key leads to the (scope, record's key) pairs written so; a lookup keeps those of its
    scope. The pairs, and the tuples of them, hold plain values only, which Python's cycle
    collector stops walking: a file naming every unit of a ministry indexes tens of thousands,
    kept until its import ends.
    """

    def __init__(self) -> None:
        self.records: dict[Any, models.Model] = {}
        self.exact: dict[str, tuple[tuple[Any, Any], ...]] = {}
        self.loose: dict[str, tuple[tuple[Any, Any], ...]] = {}

    def add(self, scope: Any, names: Iterable[str], record: models.Model) -> None:
        if record.pk in self.records:
            return
        self.records[record.pk] = record
        for index, key_of in ((self.exact, exact_key), (self.loose, loose_key)):
            for key in {key_of(name) for name in names if name}:
                index[key] = (*index.get(key, ()), (scope, record.pk))

    def find(self, scope: Any, text: str) -> list[models.Model]:
        """The records ``text`` names: those written with its letters and marks; and, for a
        text typed without any mark, if none is written so, those whose names drop theirs to
        it. A name typed with marks never matches other marks: Hưng is not Hùng."""
        found = self.scoped(self.exact, exact_key(text), scope)
        if found or marked(text):
            return found
        return self.scoped(self.loose, loose_key(text), scope)

    def alike(self, scope: Any, text: str) -> list[models.Model]:
        """The records whose names differ from ``text`` in their marks at most."""
        return self.scoped(self.loose, loose_key(text), scope)

    def scoped(self, index: dict, key: str, scope: Any) -> list[models.Model]:
        return [
            self.records[pk]
            for where, pk in index.get(key, ())
            if scope is ANY_SCOPE or where == scope
        ]


# Looks a name up whatever the scope of its records (an award type's class).
ANY_SCOPE = object()


@dataclass(frozen=True)
class Match:
    """The record a cell was read as, for a person to check before confirming: its full name,
    the unit it belongs to (a person's unit, a unit's parent), its code, and whether the cell
    named it without the marks of its name; and its key, which the confirmation compares."""

    name: str
    unit: str
    code: str
    without_marks: bool
    pk: Any = dataclasses.field(default=None, compare=False)

    def __str__(self) -> str:
        details = [detail for detail in (self.unit, self.code) if detail]
        return f"{self.name} ({', '.join(details)})" if details else self.name


# Suggestions for an unknown name are looked for among this many unknown names of a column at
# most: each search reads every name of the table.
SUGGESTED_NAMES = 20
# At most this many names are suggested.
SUGGESTIONS = 5
# "Name (Qualifier)": a name followed by what tells it from its namesakes.
_QUALIFIED = re.compile(r"^(.*\S)\s*\(([^()]+)\)\s*$")


class NamedRecordWidget(widgets.ForeignKeyWidget):
    """A related record written as its name (or one of ``names``), or as its code.

    A name typed with marks matches the records of that name with those marks only; a name typed
    without any, the one record whose name it is once its marks are dropped (see :class:`_Index`).

    A record is written as its first name unless another record answers to that name too; it is
    then written as "Name (Qualifier)" where the record has a ``qualifier`` (a unit's parent, a
    person's unit) that tells it from the others, or else as its code, so an exported file always
    reads back to the same records.

    Reading never loads a whole table: :meth:`prepare` is given the names a file uses and finds the
    records they could mean in a few queries, and a name it was not given is looked up alone.
    """

    # The field that, besides the name, tells records apart (an award type's class).
    scope_field: str | None = None
    # The related unit written after the name of one of several namesakes: "Name (Unit)".
    qualifier: str | None = None
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
        # The related records read with the matches (load_related), by name and key.
        self._related: dict[tuple[str, Any], models.Model] = {}
        self._looked_up: set[str] = set()
        self._found: dict[tuple[Any, str], list[models.Model]] = {}
        # For find_qualified: the candidates of a (scope, name) and their positions by key.
        self._by_qualifier: dict[tuple[Any, str], tuple[list, dict[str, tuple[int, ...]]]] = {}
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

    def qualified(self, text: str) -> tuple[str, str] | None:
        """The name and the qualifier of a text written "Name (Qualifier)"."""
        if self.qualifier is None:
            return None
        match = _QUALIFIED.match(text.strip())
        return (match.group(1).strip(), match.group(2).strip()) if match else None

    def qualifier_of(self, record: models.Model) -> models.Model | None:
        return getattr(record, self.qualifier) if self.qualifier else None

    def qualifier_text(self, name: str, short_name: str) -> str:
        """How the unit that tells a record from its namesakes is written after its name."""
        return name

    # -- Reading --------------------------------------------------------------------------------

    def prepare(self, texts: Iterable[Any]) -> None:
        """Find, in a few queries, every record that one of ``texts`` could name."""
        wanted = {str(text) for text in texts if not is_blank(text)} - self._looked_up
        if not wanted:
            return
        self._looked_up |= wanted
        names = self.qualified_names(wanted) - self._looked_up
        self._looked_up |= names
        self._load(self.known(), wanted | names, cached=True)

    def qualified_names(self, texts: Iterable[str]) -> set[str]:
        """The names of the texts written "Name (Qualifier)", looked for with the texts."""
        return {parts[0] for text in texts if (parts := self.qualified(text))}

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
            matches |= Q(**{f"{self.code}__in_array": {text.strip() for text in texts} | exact})
        for name in self.names:
            found = self.stored_names(records, name, texts, cached)
            if found:
                matches |= Q(**{f"{name}__in_array": found})
        if matches:
            self._add(records.filter(matches))

    def stored_names(
        self, records: models.QuerySet, name: str, texts: Iterable[str], cached: bool
    ) -> set[str]:
        """The values of the field ``name`` that one of ``texts`` matches, or differs from in
        its marks only (those are named when the text matches nothing)."""
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

        Names are compared by keys no database computes alike: the distinct names are read
        and keyed once, and then looked up by key, once for each unit a file names people in.
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
            # A unit's children share one record of it, not one each: an import keeps them all.
            for name in self.load_related:
                related = getattr(record, name)
                if related is not None:
                    setattr(record, name, self._related.setdefault((name, related.pk), related))
            self._index.add(self.scope_of(record), self.written_names(record), record)

    def _refresh(self, text: str) -> bool:
        """Look again for ``text`` among the records added since the first lookup: an earlier
        row of the same file may have just created it. Whether there were any."""
        newest = self.model._default_manager.aggregate(newest=Max("pk"))["newest"] or 0
        if newest <= (self._newest or 0):
            return False
        # A record added may share a name already matched.
        self._found.clear()
        added = self.model._default_manager.filter(pk__gt=self._newest or 0, pk__lte=newest)
        self._newest = newest
        self._load(added, {text} | self._looked_up)
        return True

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

    def qualifier_keys(self, record: models.Model) -> frozenset[str]:
        """:func:`unit_keys` of the record's qualifier, computed once per file: a common name
        may have hundreds of namesakes to tell apart by their units."""
        unit = self.qualifier_of(record)
        if unit is None:
            return frozenset()
        keys = self.tables.setdefault("qualifier_keys", {})
        if unit.pk not in keys:
            keys[unit.pk] = unit_keys(unit.name, unit.short_name, unit.slug)
        return keys[unit.pk]

    def find_qualified(self, scope: Any, name: str, qualifier: str) -> list[models.Model]:
        """The records named ``name`` whose qualifier is written ``qualifier``."""
        candidates = self.candidates(scope, name)
        # The namesakes' positions by their qualifiers' keys, computed once per name: a common
        # name is written with each of dozens of units on a file's rows, and scanning its
        # namesakes for each was a twentieth of a whole import.
        indexed = self._by_qualifier.get((scope, name))
        if indexed is None or indexed[0] is not candidates:
            positions: dict[str, list[int]] = defaultdict(list)
            for position, record in enumerate(candidates):
                for key in self.qualifier_keys(record):
                    positions[key].append(position)
            indexed = (candidates, {key: tuple(found) for key, found in positions.items()})
            self._by_qualifier[scope, name] = indexed
        by_key = indexed[1]
        chosen = {position for key in typed_keys(qualifier) for position in by_key.get(key, ())}
        return [candidates[position] for position in sorted(chosen)]

    def find(self, text: str, row: dict | None = None) -> models.Model:
        scope = self.scope_of_row(row)
        parts = self.qualified(text)
        # "Name (Unit)" is rarely a record's whole name: looking for it among records added
        # since the first lookup would cost a query on every such row, so that waits until
        # the name and unit fail to find one record.
        if parts and not self.candidates(scope, text, refresh=False):
            name, qualifier = parts
            found = self.find_qualified(scope, name, qualifier)
            if not found and self._refresh(text):
                found = self.find_qualified(scope, name, qualifier)
            if found:
                # The records the whole text names, as for any name: a file repeats a
                # namesake's "Name (Unit)" on many rows, each telling hundreds apart.
                self._found[scope, text] = found
            if len(found) > 1:
                raise self.ambiguous(text, found)
            if found:
                return found[0]
            if not self.candidates(scope, text, refresh=False):
                raise self.not_found(text, scope, like=name)
        found = self.candidates(scope, text)
        if not found:
            raise self.not_found(text, scope)
        if len(found) > 1:
            raise self.ambiguous(text, found)
        return found[0]

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> models.Model | None:
        if is_blank(value):
            return None
        return self.find(str(value), row)

    # -- Messages -------------------------------------------------------------------------------

    def suggested(self, record: models.Model) -> str:
        """A record as a message suggests it, written so that it reads back: a person with their
        unit, a unit with its parent."""
        name = getattr(record, self.names[0])
        unit = self.qualifier_of(record)
        if unit is None:
            return name
        return f"{name} ({self.qualifier_text(unit.name, unit.short_name)})"

    def labelled(self, record: models.Model) -> str:
        """A record as a message lists it among others: its name, unit and code."""
        name = getattr(record, self.names[0]) if self.code else str(record)
        details = []
        if self.qualifier:
            unit = self.qualifier_of(record)
            details.append("—" if unit is None else self.qualifier_text(unit.name, unit.short_name))
        if self.code:
            details.append(getattr(record, self.code))
        return f"{name} ({', '.join(details)})" if details else name

    def records_named(self, names: Sequence[str]) -> list[models.Model]:
        condition = Q()
        for field in self.names:
            condition |= Q(**{f"{field}__in": names})
        records = self.model._default_manager.filter(condition).select_related(*self.load_related)
        return list(records.order_by("pk")[: 2 * SUGGESTIONS])

    def close_names(self, text: str, scope: Any = None) -> list[str]:
        """Names of the table close to ``text``, for a message about a name none has: first
        those that differ from it in their marks only, then those spelled nearly alike."""
        if self._suggested >= SUGGESTED_NAMES:
            return []
        self._suggested += 1
        records = self._index.alike(scope, text)
        names: dict[str, str] = {}
        for name in self.names:
            every = self.model._default_manager.all()
            for value, _exact, loose in self.distinct_names(every, name, cached=True):
                names.setdefault(loose, value)
        close = difflib.get_close_matches(loose_key(text), names, n=3, cutoff=0.75)
        if close:
            records = [*records, *self.records_named([names[key] for key in close])]
        suggested = dict.fromkeys(self.suggested(record) for record in records)
        return list(suggested)[:SUGGESTIONS]

    def not_found(self, text: str, scope: Any = None, like: str | None = None) -> ValueError:
        """No record is named ``text``; the names close to it (or to ``like``) are suggested."""
        message = _("No %(record)s is named “%(name)s”.") % {
            "record": self.model._meta.verbose_name,
            "name": text,
        }
        close = self.close_names(like or text, scope)
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
                "codes": ", ".join(self.labelled(record) for record in found),
            }
        )

    # -- What a cell was read as ----------------------------------------------------------------

    def full_name(self, record: models.Model) -> str:
        return getattr(record, self.names[0])

    def matched_without_marks(self, record: models.Model, text: str) -> bool:
        """Whether ``text`` named ``record`` only once the marks of its name were dropped."""
        if marked(text):
            return False
        names = {exact_key(name) for name in self.written_names(record) if name}
        if exact_key(text) in names:
            return False
        parts = self.qualified(text)
        if parts is None:
            return True
        name, qualifier = parts
        unit = self.qualifier_of(record)
        if unit is None:
            return True
        unit_names = {exact_key(name) for name in (unit.name, unit.short_name, unit.slug) if name}
        return exact_key(name) not in names or exact_key(qualifier) not in unit_names

    def match(self, record: models.Model, text: str) -> Match:
        """What ``text`` was read as, for the preview; made once for each name of a file."""
        matches = self.tables.setdefault("matches", {})
        key = (text, record.pk)
        if key not in matches:
            unit = self.qualifier_of(record)
            matches[key] = Match(
                name=self.full_name(record),
                unit=unit.name if unit is not None else "",
                code=getattr(record, self.code) if self.code else "",
                without_marks=self.matched_without_marks(record, text),
                pk=record.pk,
            )
        return matches[key]

    # -- Writing --------------------------------------------------------------------------------

    def ambiguous_keys(self) -> set[tuple[Any, str]]:
        """The (scope, name) keys more than one record answers to, computed once.

        A record whose first name is one of these is written "Name (Qualifier)" or as its
        code (:meth:`written_forms`). Counted on the distinct names the database groups, so a
        table of people costs one grouped query.
        """
        if "ambiguous" in self.tables:
            return self.tables["ambiguous"]
        counts: Counter[tuple[Any, str]] = Counter()
        # Each key's spellings as stored, for written_forms to find its records by.
        spellings: dict[tuple[Any, str], set[str]] = defaultdict(set)
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
                    key = where(row), exact_key(row[width])
                    counts[key] += row[width + 1]
                    spellings[key].add(row[width])
        else:
            # A record counts once for a key, even when two of its names are spelled alike.
            for row in manager.values_list(*scope, *self.names).iterator(chunk_size=2000):
                keys = set()
                for name in row[width:]:
                    if name:
                        keys.add(key := (where(row), exact_key(name)))
                        spellings[key].add(name)
                counts.update(keys)
        if self.code:
            # A code is unique, but a name may be spelled like another record's code.
            codes = {key for _scope, key in counts if _CODE.match(key)}
            records = manager.filter(**{f"{self.code}__in": codes})
            for row in records.values_list(*scope, self.code, *self.names):
                code = exact_key(row[width])
                if code not in {exact_key(name) for name in row[width + 1 :] if name}:
                    counts[where(row), code] += 1
                    spellings[where(row), code].add(row[width])
        # Every name there is: "Name (Qualifier)" must not be one.
        self.tables["names"] = set(counts)
        ambiguous = {key for key, count in counts.items() if count > 1}
        self.tables["ambiguous"] = ambiguous
        self.tables["spellings"] = {key: tuple(spellings[key]) for key in ambiguous}
        return ambiguous

    def qualifiers(self) -> dict[Any, tuple[str, frozenset[str]]]:
        """Each unit that may follow a name: how it is written there, and the keys it is read
        by (:meth:`qualifier_keys`)."""
        if "qualifiers" not in self.tables:
            units = self.model._meta.get_field(self.qualifier).related_model._default_manager
            self.tables["qualifiers"] = {
                pk: (self.qualifier_text(name, short), unit_keys(name, short, slug))
                for pk, name, short, slug in units.values_list("pk", "name", "short_name", "slug")
            }
        return self.tables["qualifiers"]

    def written_forms(self) -> dict[Any, Any]:
        """The records whose first name another record shares and that are written "Name
        (Qualifier)", each by its key, with the key of its qualifier: the form reads back to it
        alone. The others of those names are written as their code. Computed once.

        The records are read a thousand names at a time and a number is kept for each: at
        200,000 people, nearly all of them namesakes, keeping each one's text and every name's
        readers at once took 130 MB and five seconds of an export.
        """
        if "written" in self.tables:
            return self.tables["written"]
        ambiguous = self.ambiguous_keys()
        forms: dict[Any, Any] = {}
        self.tables["written"] = forms
        if not self.qualifier or not ambiguous:
            return forms
        scope = [self.scope_field] if self.scope_field else []
        # A code is read too where a name is spelled like one (see ambiguous_keys).
        coded = self.code and any(_CODE.match(key) for _scope, key in ambiguous)
        code = [self.code] if coded else []
        columns = ["pk", *scope, *self.names, *code, self.qualifier]
        first = 1 + len(scope)
        qualifiers = self.qualifiers()
        # Each unit's key kept once, whichever row read it.
        units = {pk: pk for pk in qualifiers}
        # How each unit reads after a name: a qualifier typed with marks by its exact key; one
        # without, by its bare key, which every record its exact key reads has too.
        unit_key = {
            pk: exact_key(text) if marked(text) else loose_key(text)
            for pk, (text, _keys) in qualifiers.items()
        }
        # "Name (Qualifier)" must not be another record's name: only one holding a bracket can be.
        bracketed = {key for key in self.tables["names"] if "(" in key[1]}
        # Each spelling's key, computed once: a name is shared by a dozen records.
        keys: dict[str, str] = {}
        groups = list(ambiguous)
        spellings = self.tables["spellings"]
        manager = self.model._default_manager.order_by()
        for start in range(0, len(groups), NAMES_PER_QUERY):
            batch = set(groups[start : start + NAMES_PER_QUERY])
            spelled = list({text for group in batch for text in spellings[group]})
            among = Q()
            for field in (*self.names, *code):
                among |= Q(**{f"{field}__in_array": spelled})
            # For each name, how many of the records it reads as have a qualifier read by each
            # key (see find_qualified); and the records whose first name it is.
            readers: dict[tuple[Any, str], Counter[str]] = defaultdict(Counter)
            named: list[tuple[Any, tuple[Any, str], str, Any]] = []
            for row in manager.filter(among).values_list(*columns).iterator(chunk_size=5000):
                where = row[1] if scope else None
                unit = row[-1]
                read_as = qualifiers[unit][1] if unit is not None else ()
                found = []
                # The record's names, then its code when read.
                for text in row[first:-1]:
                    if text:
                        key = keys.get(text)
                        if key is None:
                            key = keys[text] = exact_key(text)
                        found.append((where, key))
                for group in set(found).intersection(batch):
                    readers[group].update(read_as)
                name = row[first]
                if unit is not None and name and found[0] in batch:
                    named.append((row[0], found[0], name, unit))
            for pk, group, name, unit in named:
                if readers[group][unit_key[unit]] != 1:
                    continue
                # Each "Name (Qualifier)" is new: its key is not remembered (exact_key's cache
                # would keep 65,536 of them, 26 MB of an export, and forget the names it reuses).
                if bracketed:
                    form = name_key(f"{name} ({qualifiers[unit][0]})")
                    if (group[0], form) in bracketed:
                        continue
                forms[pk] = units[unit]
        return forms

    def written(self, name: str | None, code: str | None, scope: Any = None, pk: Any = None) -> str:
        """How a record with this first name, code, scope and key is written in a cell."""
        if name is None:
            return ""
        if (scope, exact_key(name)) not in self.ambiguous_keys():
            return name
        unit = self.written_forms().get(pk)
        if unit is not None:
            return f"{name} ({self.qualifiers()[unit][0]})"
        return code or name

    def export_lookups(self, attribute: str) -> list[str]:
        """The values a query reads to write the record at ``attribute`` without loading it."""
        code = self.code or "pk"
        scope = self.scope_field or "pk"
        return [
            f"{attribute}__{self.names[0]}",
            f"{attribute}__{code}",
            f"{attribute}__{scope}",
            f"{attribute}__pk",
        ]

    def written_from(self, name: str | None, code: Any, scope: Any, pk: Any) -> str:
        """:meth:`written` from the values :meth:`export_lookups` named."""
        return self.written(
            name,
            code if self.code else None,
            scope if self.scope_field else None,
            pk,
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return self.written(
            getattr(value, self.names[0]),
            getattr(value, self.code) if self.code else None,
            self.scope_of(value),
            value.pk,
        )


class UnitWidget(NamedRecordWidget):
    """A unit written as its full name, short name or code; one of several units of a name
    (every province has its "Phòng Tham mưu") as "Name (Parent unit)"."""

    qualifier = "parent"
    load_related = ("parent",)

    def __init__(self, model: type[models.Model], **kwargs: Any) -> None:
        super().__init__(model, names=("name", "short_name"), code="slug", **kwargs)


# People read as records in one query, by key.
PEOPLE_PER_QUERY = 10_000


class PersonWidget(NamedRecordWidget):
    """A person written as their full name; namesakes as "Full Name (Unit)", or by code.

    "Nguyễn Văn An (Phòng Tham mưu)" reads as the Nguyễn Văn An of that unit, whose unit may be
    written by its full name, short name or code.
    """

    qualifier = "unit"
    load_related = ("unit",)

    def __init__(self, model: type[models.Model], **kwargs: Any) -> None:
        super().__init__(model, names=("full_name",), code="slug", **kwargs)

    def qualifier_text(self, name: str, short_name: str) -> str:
        return short_name or name

    def qualified_names(self, texts: Iterable[str]) -> set[str]:
        # Looked for in the units written after them only (see prepare).
        return set()

    def prepare(self, texts: Iterable[Any]) -> None:
        texts = [str(text) for text in texts if not is_blank(text)]
        super().prepare(texts)
        # "Name (Unit)" is looked for among the people of the units written after that name
        # only: across a ministry a common name is shared by thousands of people, and a unit's
        # name ("Phòng Tổ chức cán bộ") by a unit of every province.
        names_by_unit: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            parts = self.qualified(text)
            if parts and parts[0] not in self._looked_up:
                names_by_unit[parts[1]].add(parts[0])
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
        # Unsorted: the benchmark's 7,000 names are those of 65,000 people, which the people's
        # ordering had PostgreSQL sort on disk (#12).
        namesakes = (
            people.filter(full_name__in_array=wanted)
            .order_by()
            .values_list("pk", "full_name", "unit")
        )
        chosen = [
            pk for pk, name, unit in namesakes.iterator(chunk_size=5000) if unit in wanted[name]
        ]
        # In chunks: SQLite takes at most 32,766 values in one statement.
        for start in range(0, len(chosen), PEOPLE_PER_QUERY):
            self._add(people.filter(pk__in_array=chosen[start : start + PEOPLE_PER_QUERY]))

    def units_named(self, text: str) -> set[int]:
        """The keys of the units whose full name, short name or code is ``text``."""
        if "units_by_key" not in self.tables:
            by_key: dict[str, set[int]] = defaultdict(set)
            units = self.model._meta.get_field("unit").related_model._default_manager
            for pk, *names in units.values_list("pk", "name", "short_name", "slug"):
                for key in unit_keys(*names):
                    by_key[key].add(pk)
            # As tuples of keys, which the cycle collector leaves alone (see _Index).
            self.tables["units_by_key"] = {key: tuple(pks) for key, pks in by_key.items()}
        by_key = self.tables["units_by_key"]
        return set().union(*(by_key.get(key, ()) for key in typed_keys(text)))

    def ambiguous(self, text: str, found: list[models.Model]) -> ValueError:
        return ValueError(
            _(
                "“%(name)s” could be any of these people: %(people)s. Write the unit after the "
                "name, e.g. “%(example)s”, or the code."
            )
            % {
                "name": text,
                "people": ", ".join(self.labelled(person) for person in found),
                "example": f"{found[0].full_name} ({found[0].unit or '…'})",
            }
        )


def unit_keys(*names: str | None) -> frozenset[str]:
    """The keys under which a unit's stored names (full, short, code) are read: exactly, or,
    for a name typed without marks, without them (see :func:`typed_keys`). A typed unit names
    this one when its :func:`typed_keys` meet these."""
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
# The names of a table whose records written_forms reads in one query.
NAMES_PER_QUERY = 1000


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
        self._classes: dict[tuple[type, Any], str] = {}

    def scope_of_row(self, row: dict | None) -> str:
        # A file repeats a few classes on thousands of rows, each read twice per row: each
        # cell is read once (its reading depends on the cell alone; a refusal is not kept).
        cell = (row or {}).get(self.class_column)
        key = (type(cell), cell)
        scope = self._classes.get(key)
        if scope is None:
            scope = self._classes[key] = self.classes.clean(cell)
        return scope

    def find(self, text: str, row: dict | None = None) -> models.Model:
        scope = self.scope_of_row(row)
        if not self.candidates(scope, text):
            # The name may exist in another class: say which classes it has.
            classes = {record.award_class for record in self._index.find(ANY_SCOPE, text)}
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

    def full_name(self, record: models.Model) -> str:
        return str(record)


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
        if exact or marked(text):
            return exact
        return [area for area in areas if loose_key(area.name) == loose_key(text)]

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


# What a cell that names no record was read as.
NO_MATCHES: tuple[Match, ...] = ()


def match_reader(
    field: Any, model: type[models.Model]
) -> Callable[[models.Model, dict], tuple[Match, ...]] | None:
    """How the preview tells the records a cell of ``field`` (an import-export field of a
    resource of ``model``) was read as, given a row's record and cells; None for a column that
    names no record. Each name of a file is described once, however many rows repeat it."""
    widget = field.widget
    column = field.column_name
    memo: dict[tuple[Any, Any], tuple[Match, ...]] = {}

    def described(widget: NamedRecordWidget, cell: Any, record: models.Model) -> tuple[Match, ...]:
        key = (cell, record.pk)
        if key not in memo:
            memo[key] = (widget.match(record, str(cell)),)
        return memo[key]

    if isinstance(widget, NamedRecordWidget):
        attribute = field.attribute or ""
        # The record a row was read as is held by its related field, when the cell sets one.
        related = model._meta.get_field(attribute) if "__" not in attribute else None

        def read(instance: models.Model, row: dict) -> tuple[Match, ...]:
            cell = row.get(column)
            if is_blank(cell):
                return NO_MATCHES
            record = related.get_cached_value(instance, None) if related else None
            if record is None:
                try:
                    record = widget.clean(cell, row=row)
                except ValueError:
                    return NO_MATCHES
            return described(widget, cell, record) if record is not None else NO_MATCHES

        return read
    if isinstance(widget, NamedRecordsWidget | WorkPlanWidget):
        records = widget.record if isinstance(widget, NamedRecordsWidget) else widget.units

        def read_each(instance: models.Model, row: dict) -> tuple[Match, ...]:
            cell = row.get(column)
            names = widget.split(cell) if isinstance(widget, NamedRecordsWidget) else [cell]
            try:
                return tuple(
                    match
                    for name in names
                    if not is_blank(name)
                    for match in described(records, name, records.find(str(name)))
                )
            except ValueError:
                return NO_MATCHES

        return read_each
    return None
