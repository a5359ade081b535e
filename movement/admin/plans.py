from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db.models import Count, Field, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from movement.models import Task, WorkArea, WorkPlan
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import TaskResource, WorkPlanResource

from .filters import PlanUnitFilter, UnitFilter
from .history import HistoryAdmin
from .mixins import SOURCE_FIELDSET, FoldedSearchMixin, InferredColumnMixin, LabelRelationsMixin
from .scoping import UnitScopeMixin
from .versions import VersionedAdminMixin, VersionedInlineMixin


def progress(declared: int | None, entered: int) -> str:
    if declared is None:
        return gettext("%(entered)s entered, none declared") % {"entered": entered}
    return gettext("%(declared)s declared, %(entered)s entered") % {
        "declared": declared,
        "entered": entered,
    }


def status_action(status: Task.Status) -> Callable:
    """A bulk action giving the selected tasks ``status`` (the year's review marks many at once)."""

    @admin.action(
        permissions=["change"], description=format_lazy("{}: {}", _("Set status"), status.label)
    )
    def action(modeladmin: "TaskAdmin", request: HttpRequest, queryset: QuerySet) -> None:
        modeladmin.set_status(request, queryset, status)

    action.__name__ = f"mark_{status.value}"
    return action


def entered(model: type[Model]) -> Coalesce:
    """How many ``model`` rows (areas or tasks) each plan has, as a column of the plan query."""
    per_plan = model.objects.filter(plan=OuterRef("pk")).order_by().values("plan")
    return Coalesce(Subquery(per_plan.annotate(n=Count("pk")).values("n")), 0)


class LabelledInlineFormSet(BaseInlineFormSet):
    """A table row's inputs named by their column: a tabular inline shows each label once, in the
    header, and leaves the inputs with no name a screen reader can read."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, RelatedFieldWidgetWrapper):
                # The select itself, inside its add/change links: the wrapper's copy of the attrs
                # is not the one rendered.
                widget = widget.widget
            if not widget.is_hidden:
                widget.attrs.setdefault("aria-label", capfirst(field.label))


# A task row's choice of a work area added in the same form, by the number typed for it: it has
# no primary key until the plan's areas are saved.
NEW_AREA = "new:"


class PlanAreaField(forms.ModelChoiceField):
    """One of the plan's work areas, or one added in the same form (``new:<number>``, among
    ``new_numbers``), which stands as an unsaved area until WorkPlanAdmin.save_formset swaps it
    for the area saved just before."""

    new_numbers: frozenset[int] = frozenset()

    def to_python(self, value: Any) -> WorkArea | None:
        if isinstance(value, str) and value.startswith(NEW_AREA):
            number = value.removeprefix(NEW_AREA)
            if not number.isdigit() or int(number) not in self.new_numbers:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
            return WorkArea(number=int(number))
        return super().to_python(value)


class TaskInlineFormSet(LabelledInlineFormSet):
    """Rows share one list of the plan's work areas instead of each querying it again, and offer
    the areas added in the same form too."""

    def new_areas(self) -> dict[int, str]:
        """The areas added in the same form, name by number, read from the submitted data: the
        admin builds the areas' formset apart from this one."""
        if not self.is_bound:
            return {}
        prefix = WorkArea._meta.get_field("plan").remote_field.get_accessor_name()
        try:
            initial = int(self.data.get(f"{prefix}-INITIAL_FORMS", ""))
            total = min(int(self.data.get(f"{prefix}-TOTAL_FORMS", "")), self.absolute_max)
        except ValueError:
            return {}
        numbers = {}
        for index in range(initial, total):
            number = self.data.get(f"{prefix}-{index}-number", "").strip()
            if number.isdigit() and not self.data.get(f"{prefix}-{index}-DELETE"):
                numbers[int(number)] = self.data.get(f"{prefix}-{index}-name", "").strip()
        return numbers

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        area = form.fields["area"]
        if not hasattr(self, "area_choices"):
            added = self.new_areas()
            # iter(): list() would first ask the choices for their length, a COUNT query.
            self.area_choices = list(iter(area.choices)) + [
                (f"{NEW_AREA}{number}", f"{number}. {name}") for number, name in added.items()
            ]
            self.new_numbers = frozenset(added)
        area.choices = self.area_choices
        area.new_numbers = self.new_numbers


class WorkAreaInline(VersionedInlineMixin, admin.TabularInline):
    model = WorkArea
    formset = LabelledInlineFormSet
    extra = 0


class TaskInline(VersionedInlineMixin, admin.TabularInline):
    model = Task
    formset = TaskInlineFormSet
    fields = ["number", "title", "area", "status"]
    extra = 0
    show_change_link = True

    def formfield_for_dbfield(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name != "area":
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        formfield = super().formfield_for_dbfield(
            db_field, request, form_class=PlanAreaField, **kwargs
        )
        if isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            # Areas are changed in their own table just above, and one added there has no page
            # yet for the links to open.
            formfield.widget.can_change_related = False
            formfield.widget.can_delete_related = False
            formfield.widget.can_view_related = False
        return formfield

    def get_formset(
        self, request: HttpRequest, obj: WorkPlan | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet]:
        formset = super().get_formset(request, obj, **kwargs)
        # Only the plan's own areas make sense; a new plan has none until it is saved.
        areas = WorkArea.objects.order_by("number")
        formset.form.base_fields["area"].queryset = areas.filter(plan=obj) if obj else areas.none()
        return formset


@admin.register(WorkPlan)
class WorkPlanAdmin(
    UnitScopeMixin,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [WorkPlanResource]
    list_display = ["unit", "year", "campaign", "areas_entered", "tasks_entered", "inferred"]
    # Plans are one per unit and year: the stock filter's distinct years cost nothing.
    list_filter = ["year", UnitFilter]
    list_select_related = ["unit", "campaign"]
    search_fields = ["unit__search_text"]
    search_year_field = "year"
    autocomplete_fields = ["unit", "campaign", "source"]
    readonly_fields = ["areas_entered", "tasks_entered"]
    # Areas first: they are saved before the tasks, which may pick one added in the same form.
    inlines = [WorkAreaInline, TaskInline]
    fieldsets = [
        (None, {"fields": [("unit", "year"), "campaign", "summary"]}),
        (
            _("Declared and entered"),
            {
                "description": _(
                    "How many work areas and tasks the source says the plan has, "
                    "against how many are entered below."
                ),
                "fields": [
                    ("declared_area_count", "areas_entered"),
                    ("declared_task_count", "tasks_entered"),
                ],
            },
        ),
        SOURCE_FIELDSET,
    ]

    class Media:
        # Offers the areas typed in the form to its task rows (PlanAreaField).
        js = ["movement/admin/plan_areas.js"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(area_count=entered(WorkArea), task_count=entered(Task))
        )

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is Task:
            # A task row that picked an area added in the same form holds an unsaved stand-in:
            # the areas' formset, saved just before, has written it under that number.
            for row in formset.forms:
                area = row.cleaned_data.get("area")
                if area is not None and area.pk is None:
                    row.instance.area = form.instance.areas.get(number=area.number)
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("work areas"))
    def areas_entered(self, obj: WorkPlan) -> str:
        return progress(obj.declared_area_count, getattr(obj, "area_count", 0))

    @admin.display(description=_("tasks"))
    def tasks_entered(self, obj: WorkPlan) -> str:
        return progress(obj.declared_task_count, getattr(obj, "task_count", 0))


@admin.register(Task)
class TaskAdmin(
    UnitScopeMixin,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [TaskResource]
    list_display = ["number", "title", "plan", "area", "status", "result_quantity", "inferred"]
    list_display_links = ["number", "title"]
    list_filter = ["status", "plan__year", PlanUnitFilter]
    list_select_related = ["plan__unit", "area"]
    show_full_result_count = False
    search_year_field = "plan__year"
    autocomplete_fields = ["plan", "assigned_units", "coordinating_units", "source"]
    actions = [status_action(status) for status in Task.Status]
    fieldsets = [
        (None, {"fields": [("plan", "number"), "area", "title"]}),
        (_("Units"), {"fields": ["assigned_units", "coordinating_units"]}),
        (_("Result"), {"fields": ["status", "result", "result_quantity"]}),
        SOURCE_FIELDSET,
    ]

    def get_form(
        self, request: HttpRequest, obj: Task | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        # A task's area must be one of its plan's; with no plan chosen yet there is none to offer.
        # (An add page opened as ?plan=<id> has its plan.)
        plan = obj.plan_id if obj else request.POST.get("plan") or request.GET.get("plan")
        area = form.base_fields.get("area")
        if area is None:
            # Shown read-only to someone who may not change the task: no choices to offer.
            return form
        areas = WorkArea.objects.order_by("number")
        area.queryset = areas.filter(plan=plan) if plan else areas.none()
        if not plan:
            area.help_text = _("Save the task with its plan first, then choose the work area.")
        return form

    def set_status(self, request: HttpRequest, queryset: QuerySet, status: Task.Status) -> None:
        # Each task saved on its own: over the version it is read at now, which the save moves
        # on (a form opened before is then refused), and with a history version of its own.
        tasks = list(queryset.exclude(status=status))
        for task in tasks:
            task.status = status
            task.save(update_fields=["status"])
        self.message_user(
            request,
            ngettext(
                "%(count)d task was given the status “%(status)s”.",
                "%(count)d tasks were given the status “%(status)s”.",
                len(tasks),
            )
            % {"count": len(tasks), "status": status.label},
            messages.SUCCESS,
        )
