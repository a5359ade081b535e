from .accounts import FailedPassword, StaffProfile, TemporaryPassword
from .awards import Award, AwardType, RecipientKind, group_label
from .base import RetiredCode, Source
from .campaigns import Campaign, Event, Participation
from .decisions import Decision
from .export_jobs import ExportJob
from .papers import CertificateField, CertificateLayout
from .pending_imports import PendingImport
from .people import Person, Rank
from .plans import Task, WorkArea, WorkPlan
from .service import (
    Discipline,
    Initiative,
    Inspection,
    PersonRating,
    Posting,
    RankChange,
    Rating,
    UnitRating,
)
from .units import Unit

__all__ = [
    "Award",
    "AwardType",
    "Campaign",
    "CertificateField",
    "CertificateLayout",
    "Decision",
    "Discipline",
    "Event",
    "ExportJob",
    "FailedPassword",
    "Initiative",
    "Inspection",
    "Participation",
    "PendingImport",
    "Person",
    "PersonRating",
    "Posting",
    "Rank",
    "RankChange",
    "Rating",
    "RecipientKind",
    "RetiredCode",
    "Source",
    "StaffProfile",
    "Task",
    "TemporaryPassword",
    "Unit",
    "UnitRating",
    "WorkArea",
    "WorkPlan",
    "group_label",
]
