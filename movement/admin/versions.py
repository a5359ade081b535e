"""The admin side of movement.models.versions: a form saved over a newer version is refused.

Every change form (and every inline row) carries, hidden, the version of the record it was
opened at. Saving it after someone else saved the record is refused: the form comes back with
what was typed, a table of what the other person changed (their value beside yours, who and
when, from the record's history) and the newer version, so that saving once more applies the
typed values knowingly.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import is_historic

from movement.models.versions import VersionConflict, Versioned, saved_by

VERSION_FIELD = "loaded_version"


class LoadedVersionField(forms.IntegerField):
    """The version a form was opened at, hidden. It never counts as a change of the form: an
    inline row nobody touched is not saved, whatever its version."""

    widget = forms.HiddenInput

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


@dataclass
class ChangedField:
    label: str
    as_read: str
    theirs: str
    yours: str


@dataclass
class Conflict:
    """What happened to a record since a form opened it at ``version``."""

    version: int
    current: int
    saved_by: str
    fields: list[ChangedField]


class VersionedForm(forms.ModelForm):
    """A model form that saves only over the version of the record it was opened at."""

    # A form posted without it (not the admin's own page) is taken as written for the record
    # as it is now, like an imported row without a version.
    loaded_version = LoadedVersionField(label=_("version when opened"), required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version_conflict: Conflict | None = None
        instance = self.instance
        if not self.is_versioned():
            return
        if is_historic(instance):
            # A revert page: an earlier version's values, saved over the record as it is now.
            instance.version = instance.stored_version() or instance.version
        self.initial.setdefault(VERSION_FIELD, instance.version)

    def is_versioned(self) -> bool:
        return isinstance(self.instance, Versioned) and not self.instance._state.adding

    def clean(self) -> dict:
        cleaned_data = super().clean()
        loaded = cleaned_data.get(VERSION_FIELD)
        instance = self.instance
        if not self.is_versioned() or loaded is None:
            return cleaned_data
        # A form that would change nothing overwrites nothing, whatever its version; a revert
        # overwrites the record with an earlier version even when its values are left as shown.
        if not self.has_changed() and not is_historic(instance):
            return cleaned_data
        current = instance.stored_version()
        if current is None:
            raise ValidationError(
                _("This record was deleted after you opened it: it cannot be saved."),
                code="deleted",
            )
        if current != loaded:
            self.version_conflict = self.describe_conflict(loaded, current)
            # Bound to the version now saved: one more save applies the typed values.
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION_FIELD)] = str(current)
            raise ValidationError(self.conflict_message(), code="version_conflict")
        instance.version = loaded
        return cleaned_data

    def conflict_message(self) -> str:
        conflict = self.version_conflict
        changed = ", ".join(field.label for field in conflict.fields) or "—"
        return gettext(
            "Someone else saved this record after you opened it: %(who)s. They changed: "
            "%(changed)s. What you typed is kept below; save again to apply it over their "
            "version, or open the record again to start from theirs."
        ) % {"who": conflict.saved_by or gettext("an unknown user"), "changed": changed}

    def describe_conflict(self, loaded: int, current: int) -> Conflict:
        """What the other saves changed in the fields of this form, from the record's history."""
        instance = self.instance
        since = instance.saves_since(loaded)
        as_read = instance.version_as_read(loaded)
        fields = []
        names = [name for name in self.fields if name != VERSION_FIELD]
        model_fields = {
            field.name: field
            for field in instance._meta.get_fields()
            if field.name in names and (field.concrete or field.many_to_many)
        }
        if since and as_read is not None:
            delta = since[-1].diff_against(
                as_read, included_fields=[name for name in names if name in model_fields]
            )
            changes = [(change.field, change.old, change.new) for change in delta.changes]
        else:
            stored = type(instance)._base_manager.get(pk=instance.pk)
            changes = []
            for name, field in model_fields.items():
                theirs = stored_value(field, stored)
                if theirs != form_value(field, self.cleaned_data.get(name)):
                    changes.append((name, None, theirs))
        for name, old, new in changes:
            field = model_fields[name]
            fields.append(
                ChangedField(
                    label=str(self.fields[name].label or field.verbose_name),
                    as_read=shown(field, history_value(field, old)) if as_read else "—",
                    theirs=shown(field, history_value(field, new)),
                    yours=shown(field, form_value(field, self.cleaned_data.get(name))),
                )
            )
        return Conflict(loaded, current, saved_by(since), fields)


def stored_value(field: models.Field, record: models.Model) -> Any:
    if field.many_to_many:
        return sorted(getattr(record, field.name).values_list("pk", flat=True))
    return getattr(record, field.attname)


def history_value(field: models.Field, value: Any) -> Any:
    """A value of diff_against() as a plain value: a many-to-many field's rows as the pks of the
    records they point to."""
    if field.many_to_many:
        target = field.m2m_reverse_field_name()
        return sorted(row[target] for row in value or [])
    return value


def form_value(field: models.Field, value: Any) -> Any:
    """A cleaned form value as a plain value: related records as their pks."""
    if field.many_to_many:
        return sorted(record.pk for record in value or [])
    if isinstance(value, models.Model):
        return value.pk
    return value


def shown(field: models.Field, value: Any) -> str:
    """A field's value as the conflict table shows it."""
    if value in (None, "", []):
        return "—"
    if field.many_to_many or field.is_relation:
        pks = value if isinstance(value, list) else [value]
        records = field.related_model._base_manager.in_bulk(pks)
        return "; ".join(str(records.get(pk, pk)) for pk in pks)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class VersionedFieldsetsMixin:
    """The hidden version goes into the first fieldset of a form that may be saved; a page
    shown read-only has nothing to save and shows no version."""

    form = VersionedForm

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        named = [
            name
            for _title, options in fieldsets
            for line in options["fields"]
            for name in (line if isinstance(line, list | tuple) else [line])
        ]
        writable = self.has_change_permission(request, obj)
        if VERSION_FIELD in named and not writable:
            return [
                (title, {**options, "fields": [f for f in options["fields"] if f != VERSION_FIELD]})
                for title, options in fieldsets
            ]
        if VERSION_FIELD not in named and writable and fieldsets:
            (title, options), *rest = fieldsets
            return [(title, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]
        return fieldsets


class VersionedAdminMixin(VersionedFieldsetsMixin):
    """For the admins of versioned records; see the module's docstring."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict:
            # Saved by someone else between the form's check and its save, all of which was
            # undone: the form, checked again, now says so.
            return super().changeform_view(request, object_id, form_url, extra_context)


class VersionedInlineMixin(VersionedFieldsetsMixin):
    """For inlines of versioned records: each row carries the version it was opened at."""
