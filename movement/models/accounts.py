from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords


class StaffProfile(models.Model):
    """The unit a staff member works in, which bounds what a unit editor may change.

    A unit editor (group "Cán bộ đơn vị") creates and edits only the awards, tasks and people of
    this unit and the units below it; see movement.permissions.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("unit"),
        help_text=_("A unit editor may change the records of this unit and of the units below it."),
    )

    history = AuditedRecords()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        permissions = [("edit_every_unit", _("Can edit the records of every unit"))]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit}"


class TemporaryPassword(models.Model):
    """A password an administrator set for a user, which they must change at their next sign-in.

    The row goes when the password changes (movement.accounts.passwords.TemporaryPasswordValidator);
    while it is there, the user reaches no page but the one that changes it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="temporary_password",
        verbose_name=_("user"),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("temporary password")
        verbose_name_plural = _("temporary passwords")

    def __str__(self) -> str:
        return str(self.user)


def cool_off_start() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


class FailedPasswordQuerySet(models.QuerySet):
    def recent(self) -> "FailedPasswordQuerySet":
        """Failures within django-axes's cool-off time, the window its own lockouts count in."""
        return self.filter(attempted_at__gte=cool_off_start())

    def spraying_from(self, ip_address: str | None) -> bool:
        """Whether one password has recently failed from this address for as many user names as
        django-axes allows wrong passwords for one name (AXES_FAILURE_LIMIT)."""
        return (
            self.recent()
            .filter(ip_address=ip_address)
            .values("password_digest")
            .annotate(names=Count("username", distinct=True))
            .filter(names__gte=settings.AXES_FAILURE_LIMIT)
            .exists()
        )

    def record(self, ip_address: str | None, username: str, password: str) -> None:
        """Remember that ``password`` failed for ``username`` from ``ip_address``."""
        self.filter(attempted_at__lt=cool_off_start()).delete()
        self.update_or_create(
            ip_address=ip_address,
            username=username,
            password_digest=password_digest(password),
            defaults={"attempted_at": timezone.now()},
        )


def password_digest(password: str) -> str:
    """A keyed digest of a password, which tells two tries of one password apart from others
    without keeping anything that could be reversed or looked up without the site's secret key."""
    return salted_hmac("movement.FailedPassword", password, algorithm="sha256").hexdigest()


class FailedPassword(models.Model):
    """A wrong password tried for a user name from an address, kept only as a keyed digest and
    only for the cool-off time: one password failing for many names from one address is password
    spraying, which django-axes cannot see (it never keeps passwords)."""

    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    username = models.CharField(_("user name"), max_length=255)
    password_digest = models.CharField(max_length=64)
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)

    objects = FailedPasswordQuerySet.as_manager()

    class Meta:
        verbose_name = _("failed password")
        verbose_name_plural = _("failed passwords")
        indexes = [models.Index(fields=["ip_address", "attempted_at"])]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip_address}"
