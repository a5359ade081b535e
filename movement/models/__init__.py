from .accounts import StaffProfile
from .awards import Award, AwardType, RecipientKind, group_label
from .base import RetiredCode, Source
from .campaigns import Campaign, Event, Participation
from .export_jobs import ExportJob
from .pending_imports import PendingImport
from .people import Person, Rank
from .plans import Task, WorkArea, WorkPlan
from .units import Unit

__all__ = [
    "Award",
    "AwardType",
    "Campaign",
    "Event",
    "ExportJob",
    "Participation",
    "PendingImport",
    "Person",
    "Rank",
    "RecipientKind",
    "RetiredCode",
    "Source",
    "StaffProfile",
    "Task",
    "Unit",
    "WorkArea",
    "WorkPlan",
    "group_label",
]
