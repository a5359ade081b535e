from .accounts import FailedPassword, StaffProfile, TemporaryPassword
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
    "FailedPassword",
    "Participation",
    "PendingImport",
    "Person",
    "Rank",
    "RecipientKind",
    "RetiredCode",
    "Source",
    "StaffProfile",
    "Task",
    "TemporaryPassword",
    "Unit",
    "WorkArea",
    "WorkPlan",
    "group_label",
]
