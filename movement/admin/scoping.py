"""The admin side of movement.permissions: a unit editor changes only their units' records.

Unit editors see every record; what they may not change, the admin shows read-only, and refuses
on the server whatever the request: a change or delete by URL (403), a bulk action on a
selection that includes another unit's records, a form that would move a record out of their
units, and an autocomplete offering another unit as an award's recipient.
"""

import copy
import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Field, Model, QuerySet
from django.forms import BaseFormSet
from django.forms.models import construct_instance
from django.http import HttpRequest
from django.utils.translation import ngettext

from movement import permissions

# Actions that only read the selection.
READ_ONLY_ACTIONS = {"export_admin_action"}


class UnitScopeMixin:
    """For the admins of scoped records (awards, people, tasks) and of what their scoping fields
    point to (units, people, work plans)."""

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.may_edit(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Deleting is checked on its own: what a deletion changes along with it is not what a
        # save would (a person's latest posting deleted places them by the one before).
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.may_delete(request.user, obj))

    def formfield_for_foreignkey(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and permissions.choice_lookup(self.model, db_field.name):
            formfield.queryset = permissions.allowed_choices(
                request.user, self.model, db_field.name, formfield.queryset
            )
        return formfield

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        if not permissions.is_scoped(self.model):
            return form
        return bounded(form, request.user, permissions.may_edit)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not permissions.is_scoped(self.model):
            return actions
        return {
            name: (func if name in READ_ONLY_ACTIONS else within_units(func), name, description)
            for name, (func, name, description) in actions.items()
        }

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = autocomplete_source(request)
        if source is not None:
            queryset = permissions.allowed_choices(request.user, *source, queryset)
        return queryset, may_have_duplicates


def bounded(
    form: type[forms.ModelForm], user: permissions.User, rule: Callable[..., bool]
) -> type[forms.ModelForm]:
    """``form``, refusing a record that ``rule(user, record)`` does not allow as it would be
    saved."""

    class UnitScopedForm(form):
        def clean(self) -> dict:
            cleaned_data = super().clean()
            # The record as it would be saved, without touching the form's own instance.
            record = construct_instance(self, copy.copy(self.instance))
            if not rule(user, record):
                raise ValidationError(permissions.refusal(user, record))
            return cleaned_data

    return UnitScopedForm


class UnitScopeInlineMixin:
    """For the inlines of a scoped record's own parts (a person's service record) on its page.

    The rows are bound by their page: Django shows every inline read-only on a page the user
    may not change, and refuses its post (UnitScopeMixin on the parent's admin). What a row's
    save changes along with it may still fall outside the user's units (a posting that moves
    its person: movement.permissions.may_change_along): each row's form refuses that.
    """

    def get_formset(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = bounded(formset.form, request.user, permissions.may_change_along)
        return deleting_within_units(formset, request.user)


def deleting_within_units(formset: type[BaseFormSet], user: permissions.User) -> type[BaseFormSet]:
    """``formset``, refusing rows ticked for deletion that the user may not delete together,
    the page's other rows saved with them (movement.permissions.deletion_refusal). Django
    skips a deleted row's own form errors, so the check is the formset's."""

    class DeletingWithinUnits(formset):
        def clean(self) -> None:
            super().clean()
            deleted = [form.instance for form in self.deleted_forms if form.instance.pk]
            if not deleted:
                return
            kept = [
                form.instance
                for form in self.forms
                if form not in self.deleted_forms and form.has_changed()
            ]
            reason = permissions.deletion_refusal(user, deleted, kept)
            if reason:
                raise ValidationError(reason)

    return DeletingWithinUnits


def within_units(action: Callable) -> Callable:
    """Run a bulk action only on a selection the user may change entirely; Django's own bulk
    deletion asks for each record, an action added later might not. A deletion is also
    checked for the selection as a whole (two postings deleted together may move a person
    where neither alone would)."""

    @functools.wraps(action)
    def scoped(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> Any:
        outside = queryset.count() - queryset.editable_by(request.user).count()
        if outside:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d of the selected %(records)s is not of your units: nothing was "
                    "changed.",
                    "%(count)d of the selected %(records)s are not of your units: nothing was "
                    "changed.",
                    outside,
                )
                % {"count": outside, "records": queryset.model._meta.verbose_name_plural},
                messages.ERROR,
            )
            return None
        if action.__name__ == "delete_selected":
            reason = permissions.moving_out(request.user, list(queryset))
            if reason:
                modeladmin.message_user(request, reason, messages.ERROR)
                return None
        return action(modeladmin, request, queryset)

    return scoped


def autocomplete_source(request: HttpRequest) -> tuple[type[Model], str] | None:
    """The model and field an admin autocomplete request fills in, if this is one."""
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return None
    try:
        model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
    except (KeyError, LookupError):
        return None
    return model, request.GET.get("field_name", "")
