from .accounts import FailedPassword, StaffProfile, TemporaryPassword
from .awards import (
    Award,
    AwardType,
    RecipientKind,
    group_label,
    keep_ranks_and_positions,
    ranks_and_positions_left,
)
from .base import RetiredCode, Source
from .campaigns import Campaign, Event, Participation
from .cycle import (
    Attachment,
    CouncilMeeting,
    Proposal,
    ProposalLine,
    Registration,
    RegistrationPeriod,
    Step,
)
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
from .tallies import CampaignTally, UnitYearTally, YearTally, compact_tallies
from .units import Unit

__all__ = [
    "Attachment",
    "Award",
    "AwardType",
    "Campaign",
    "CampaignTally",
    "CertificateField",
    "CertificateLayout",
    "CouncilMeeting",
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
    "Proposal",
    "ProposalLine",
    "Rank",
    "RankChange",
    "Rating",
    "RecipientKind",
    "Registration",
    "RegistrationPeriod",
    "RetiredCode",
    "Source",
    "StaffProfile",
    "Step",
    "Task",
    "TemporaryPassword",
    "Unit",
    "UnitRating",
    "UnitYearTally",
    "WorkArea",
    "WorkPlan",
    "YearTally",
    "compact_tallies",
    "group_label",
    "keep_ranks_and_positions",
    "ranks_and_positions_left",
]
