"""Who may change which records: the bound on unit editors that model permissions cannot express.

The roles are groups with model permissions (migration 0006_roles). Django's permissions say what
kind of record a user may change; this module says which ones. A user without the permission
``movement.edit_every_unit`` — a unit editor — changes an award, a person or a task only if it
belongs to the unit of their staff profile or a unit below it (the unit's subtree):

- an award through its recipient: the recipient unit, or the unit of the recipient person;
- a person through their unit;
- a task through the unit whose annual plan it is in.

A person's service record (rank history, postings, ratings…) is their unit's; a unit's yearly
rating is the unit's. What saving or deleting a record changes along with it is held to the same
bound: a posting saved or deleted moves its person to the unit of their latest posting left,
which must be one of the user's units too (:func:`may_change_along`, :func:`deletion_refusal`).

An award to a group the source counts but does not name ("3 tập thể") belongs to no unit, so
only emulation officers and administrators change it: nothing says whose it is, and the event or
campaign it was given at belongs to the unit that organised it, not to the recipients.

Every path that writes applies the same rule: the admin (movement.admin.scoping), the spreadsheet
import (:class:`UnitScopedImportMixin`) and the public pages' edit links. The scoped models'
QuerySets name it: ``Award.objects.editable_by(user)`` (see :func:`editable`).
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from movement.models import (
    Attachment,
    Award,
    Discipline,
    Initiative,
    Inspection,
    Person,
    PersonRating,
    Posting,
    Proposal,
    ProposalLine,
    RankChange,
    Registration,
    Task,
    UnitRating,
)

ADMINISTRATORS = "Quản trị"
EMULATION_OFFICERS = "Cán bộ thi đua"
UNIT_EDITORS = "Cán bộ đơn vị"
VIEWERS = "Xem"
ROLES = [ADMINISTRATORS, EMULATION_OFFICERS, UNIT_EDITORS, VIEWERS]

EDIT_EVERY_UNIT = "movement.edit_every_unit"

# The lookups from a record to the units it belongs to; a record belongs to a unit through any.
UNIT_LOOKUPS: dict[type[Model], tuple[str, ...]] = {
    Award: ("recipient_unit", "recipient_person__unit"),
    Person: ("unit",),
    Task: ("plan__unit",),
    # A person's service record belongs to the unit they are in now, as the person does.
    RankChange: ("person__unit",),
    Posting: ("person__unit",),
    PersonRating: ("person__unit",),
    Initiative: ("person__unit",),
    Discipline: ("person__unit",),
    Inspection: ("person__unit",),
    UnitRating: ("unit",),
    # The emulation year's records (issue #16) belong to the unit that registers or proposes.
    Registration: ("unit",),
    Proposal: ("unit",),
    ProposalLine: ("proposal__unit",),
    Attachment: ("proposal__unit",),
}

User = AbstractBaseUser | AnonymousUser


def is_scoped(model: type[Model]) -> bool:
    return model in UNIT_LOOKUPS


def editable_unit_ids(user: User) -> frozenset[int] | None:
    """The units whose records ``user`` may change, or None for every unit.

    Found once per user object (a request's user lives as long as the request).
    """
    if user.has_perm(EDIT_EVERY_UNIT):
        return None
    if not hasattr(user, "_editable_unit_ids"):
        profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
        units = profile.unit.subtree().values_list("pk", flat=True) if profile else []
        user._editable_unit_ids = frozenset(units)
    return user._editable_unit_ids


def units_of(record: Model) -> set[int]:
    """The units ``record`` belongs to, following UNIT_LOOKUPS through the loaded relations."""
    found = set()
    for lookup in UNIT_LOOKUPS.get(type(record), ()):
        *path, last = lookup.split("__")
        target = record
        for name in path:
            target = getattr(target, name) if getattr(target, f"{name}_id") else None
            if target is None:
                break
        unit_id = getattr(target, f"{last}_id", None) if target is not None else None
        if unit_id is not None:
            found.add(unit_id)
    return found


def may_edit(user: User, record: Model) -> bool:
    """Whether ``user``'s bound lets them change ``record`` (their model permissions aside):
    it is of their units, and so is what a save of it changes along with it (a person's latest
    posting moves them: a unit editor may not post their people out of their units)."""
    return in_units(user, record) and may_change_along(user, record)


def in_units(user: User, record: Model) -> bool:
    """Whether ``record`` is of ``user``'s units, or of any for one bound to none."""
    if not is_scoped(type(record)):
        return True
    allowed = editable_unit_ids(user)
    return allowed is None or bool(units_of(record) & allowed)


def may_change_along(user: User, record: Model) -> bool:
    """Whether ``user`` may change what saving ``record`` changes along with it."""
    along = getattr(record, "also_changes", None)
    if along is None or editable_unit_ids(user) is None:
        return True
    return all(may_edit(user, other) for other in along())


def deletion_refusal(user: User, records: Iterable[Model], keeping: Iterable[Model] = ()) -> str:
    """Why ``user`` may not delete ``records`` together (saving ``keeping`` at once: a page's
    other rows), in words for the person refused; "" if they may. Each must be of their units,
    and so must what deleting them changes along with it: deleting a person's latest posting
    places them by the one before, which may be another unit's."""
    records = list(records)
    for record in records:
        if not in_units(user, record):
            return refusal(user, record)
    return moving_out(user, records, keeping)


def moving_out(user: User, records: list[Model], keeping: Iterable[Model] = ()) -> str:
    """Why deleting ``records`` (of ``user``'s units) would change something outside their
    units along with it, in words for the person refused; "" if it would not."""
    along = getattr(type(records[0]), "deleting_changes", None) if records else None
    if along is None or editable_unit_ids(user) is None:
        return ""
    for other in along(records, list(keeping)):
        if not may_edit(user, other):
            return _(
                "Deleting this would place %(person)s in a unit outside yours, by their posting "
                "before it. Nothing was deleted."
            ) % {"person": other}
    return ""


def may_delete(user: User, record: Model) -> bool:
    """Whether ``user``'s bound lets them delete ``record`` (see :func:`deletion_refusal`)."""
    return not deletion_refusal(user, [record])


def editable(user: User, queryset: QuerySet) -> QuerySet:
    """The records of ``queryset`` that ``user``'s bound lets them change: what the scoped
    models' ``editable_by(user)`` gives (movement.models.base.UnitScopedQuerySet)."""
    allowed = editable_unit_ids(user)
    if allowed is None or not is_scoped(queryset.model):
        return queryset
    within = Q()
    for lookup in UNIT_LOOKUPS[queryset.model]:
        within |= Q(**{f"{lookup}__in": allowed})
    return queryset.filter(within)


def choice_lookup(model: type[Model], field_name: str) -> str | None:
    """For a field that decides which units a record belongs to, the lookup from the records it
    points to to their unit: "pk" for Award.recipient_unit, "unit" for Award.recipient_person."""
    for lookup in UNIT_LOOKUPS.get(model, ()):
        first, _sep, rest = lookup.partition("__")
        if first == field_name:
            return rest or "pk"
    return None


def allowed_choices(
    user: User, model: type[Model], field_name: str, queryset: QuerySet
) -> QuerySet:
    """The choices of ``model.field_name`` that keep the record within ``user``'s units."""
    lookup = choice_lookup(model, field_name)
    allowed = editable_unit_ids(user)
    if lookup is None or allowed is None:
        return queryset
    return queryset.filter(**{f"{lookup}__in": allowed})


def refusal(user: User, record: Model) -> str:
    """Why ``user`` may not change ``record``, in words for the person refused."""
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    if profile is None:
        return _("Your account is not attached to a unit, so it cannot change this %(record)s.") % {
            "record": record._meta.verbose_name
        }
    # A language that starts the sentence with the record's name ("khen thưởng này…") still
    # starts it with a capital.
    return capfirst(
        _(
            "This %(record)s is not of %(unit)s or a unit below it, the only units whose records "
            "your account may change."
        )
        % {"record": record._meta.verbose_name, "unit": profile.unit}
    )


class UnitScopedImportMixin:
    """For django-import-export resources: a row a unit editor may not write is refused.

    A row is refused, with the reason, when the record it would update is outside the user's
    units, or when the record would be outside them once the row is applied (a new award for
    another unit, or one's own award moved to another unit). A refused row is an invalid row, so
    the import writes nothing. The user is the one import-export passes as ``user`` (the admin
    always does); an import without a user is one run by the operator, from the command line.
    """

    def import_instance(self, instance: Model, row: dict, **kwargs: Any) -> None:
        user = kwargs.get("user")
        if user is not None and not instance._state.adding and not may_edit(user, instance):
            raise ValidationError(refusal(user, instance))
        super().import_instance(instance, row, **kwargs)
        if user is not None and not may_edit(user, instance):
            raise ValidationError(refusal(user, instance))
