from django.conf import settings
from django.db import models
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
