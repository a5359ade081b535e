from .awards import Award, AwardType, RecipientKind, group_label
from .base import Source
from .campaigns import Campaign, Event, Participation
from .people import Person, Rank
from .plans import Task, WorkArea, WorkPlan
from .units import Unit

__all__ = [
    "Award",
    "AwardType",
    "Campaign",
    "Event",
    "Participation",
    "Person",
    "Rank",
    "RecipientKind",
    "Source",
    "Task",
    "Unit",
    "WorkArea",
    "WorkPlan",
    "group_label",
]
