from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords

from .base import Searchable, Sourced, UnitScopedQuerySet
from .fields import LineField, TextField
from .versions import Versioned


class WorkPlanManager(models.Manager):
    def get_by_natural_key(self, unit_slug: str, year: int) -> "WorkPlan":
        return self.get(unit__slug=unit_slug, year=year)


class WorkPlan(Sourced, Versioned):
    """A unit's work for one year (kế hoạch công tác năm): its key areas and the tasks under them.

    A report may declare how many areas and tasks a plan has before anyone lists them; the
    declared counts are kept so the gap between declared and entered stays visible.
    """

    unit = models.ForeignKey(
        "movement.Unit", on_delete=models.PROTECT, related_name="work_plans", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    campaign = models.ForeignKey(
        "movement.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_plans",
        verbose_name=_("serves the campaign"),
    )
    declared_area_count = models.PositiveSmallIntegerField(
        _("declared work areas"), null=True, blank=True
    )
    declared_task_count = models.PositiveSmallIntegerField(
        _("declared tasks"), null=True, blank=True
    )
    summary = TextField(_("summary"), blank=True)

    objects = WorkPlanManager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("annual work plan")
        verbose_name_plural = _("annual work plans")
        ordering = ["-year", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="work_plan_unique_per_unit_year",
                violation_error_message=_(
                    "This unit already has an annual plan for this year. Edit that plan instead of"
                    " adding another."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.year}"

    def natural_key(self) -> tuple[str, int]:
        return (self.unit.slug, self.year)

    natural_key.dependencies = ["movement.unit"]


class WorkAreaManager(models.Manager):
    def get_by_natural_key(self, unit_slug: str, year: int, number: int) -> "WorkArea":
        return self.get(plan__unit__slug=unit_slug, plan__year=year, number=number)


class WorkArea(Versioned):
    """A key area of work (mặt công tác trọng tâm) in a year's plan."""

    plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="areas", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = LineField(_("name"), max_length=300)

    objects = WorkAreaManager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("work area")
        verbose_name_plural = _("work areas")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="work_area_unique_number",
                violation_error_message=_(
                    "This plan already has an area of work with this number. Give it another "
                    "number."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    def natural_key(self) -> tuple[str, int, int]:
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["movement.workplan"]


class TaskManager(models.Manager.from_queryset(UnitScopedQuerySet)):
    def get_by_natural_key(self, unit_slug: str, year: int, number: int) -> "Task":
        return self.get(plan__unit__slug=unit_slug, plan__year=year, number=number)


class Task(Sourced, Searchable, Versioned):
    """A task (nhiệm vụ) of a year's plan, with who carries it out and how it ended."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        NOT_DONE = "not_done", _("not done")

    plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("plan")
    )
    area = models.ForeignKey(
        WorkArea,
        # An area its tasks use stays, unless the plan goes with them all.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("work area"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = LineField(_("task"), max_length=500)
    assigned_units = models.ManyToManyField(
        "movement.Unit",
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("lead units"),  # đơn vị chủ trì
    )
    coordinating_units = models.ManyToManyField(
        "movement.Unit",
        blank=True,
        related_name="coordinated_tasks",
        verbose_name=_("coordinating units"),  # đơn vị phối hợp
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    result = TextField(_("result"), blank=True)
    result_quantity = models.PositiveIntegerField(
        _("quantity achieved"),
        null=True,
        blank=True,
        help_text=_("The number the result states, e.g. 4 for “4 directives”."),
    )

    objects = TaskManager()
    history = AuditedRecords(m2m_fields=["assigned_units", "coordinating_units"])

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="task_unique_number",
                violation_error_message=_(
                    "This plan already has a task with this number. Give it another number."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def natural_key(self) -> tuple[str, int, int]:
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["movement.workplan"]

    def search_parts(self) -> list[str]:
        return [self.title, self.result]

    def clean(self) -> None:
        if self.area_id and self.plan_id and self.area.plan_id != self.plan_id:
            raise ValidationError({"area": _("The work area must belong to the same plan.")})
