"""Which awards and people a user may print papers of.

Papers speak for the office: staff print them for the awards they may change. An emulation
officer or an administrator prints every award's; a unit editor only those of their unit and the
units below it (movement.permissions); a viewer, who changes nothing, prints none.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from movement.models import Award, Person

User = AbstractBaseUser | AnonymousUser


def may_print(user: User) -> bool:
    return user.is_active and user.is_staff and user.has_perm("movement.change_award")


def printable_awards(user: User, awards: QuerySet | None = None) -> QuerySet:
    """The awards of ``awards`` (all by default) whose papers ``user`` may print."""
    if not may_print(user):
        raise PermissionDenied
    return (awards if awards is not None else Award.objects.all()).editable_by(user)


def printable_people(user: User) -> QuerySet:
    """The people whose award record ``user`` may print."""
    if not (user.is_active and user.is_staff and user.has_perm("movement.view_person")):
        raise PermissionDenied
    return Person.objects.editable_by(user)
