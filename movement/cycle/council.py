"""The emulation council's vote on a proposal, and the decision that gives the awards it passed.

A line passes when the votes for it reach the threshold of its award type, counted over ALL the
council's members (settings.COUNCIL_THRESHOLDS, each with the text it comes from). For orders and
state honours the list of those proposed must have been published at least
settings.COUNCIL_PUBLICATION_WORKING_DAYS working days before the meeting (NĐ 98/2023 Art. 46(2),
now NĐ 152/2025): the vote is refused otherwise.
"""

import datetime
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from movement.audit import Path, recording
from movement.models import AwardType, CouncilMeeting, Proposal, ProposalLine
from movement.models.cycle import working_days_between

from .transitions import Refused, perform


def threshold(award_type: AwardType) -> dict:
    """The share of members that must vote for ``award_type``: percent, strictly above or not,
    and its citation."""
    return settings.COUNCIL_THRESHOLDS.get(award_type.name, settings.COUNCIL_DEFAULT_THRESHOLD)


def passes(votes_for: int | None, members: int, award_type: AwardType) -> bool:
    """Whether ``votes_for`` of ``members`` reach ``award_type``'s threshold."""
    if votes_for is None or not members:
        return False
    rule = threshold(award_type)
    share, needed = votes_for * 100, rule["percent"] * members
    return share > needed if rule["above"] else share >= needed


def needs_publication(award_type: AwardType) -> bool:
    """Orders (huân chương) and state honours (danh hiệu vinh dự nhà nước, conferred by the
    State President) are published before the council meets."""
    return award_type.category == AwardType.Category.ORDER or (
        award_type.category == AwardType.Category.TITLE
        and award_type.conferred_by == AwardType.Conferrer.STATE_PRESIDENT
    )


def publication_refusal(
    lines: list[ProposalLine], held_on: datetime.date, published_on: datetime.date | None
) -> str:
    """Why the vote may not be recorded for want of the list's publication; "" if it may."""
    if not any(needs_publication(line.award_type) for line in lines):
        return ""
    days = settings.COUNCIL_PUBLICATION_WORKING_DAYS
    if published_on is None:
        return _(
            "The proposal has orders or state honours: give the date their list was published "
            "(at least %(days)s working days before the meeting, %(law)s)."
        ) % {"days": days, "law": settings.COUNCIL_PUBLICATION_CITATION}
    if working_days_between(published_on, held_on) < days:
        return _(
            "The list was published on %(published)s, less than %(days)s working days before "
            "the meeting of %(held)s (%(law)s): the vote cannot be recorded."
        ) % {
            "published": f"{published_on:%d/%m/%Y}",
            "held": f"{held_on:%d/%m/%Y}",
            "days": days,
            "law": settings.COUNCIL_PUBLICATION_CITATION,
        }
    return ""


def record_vote(
    proposal: Proposal,
    user,
    *,
    held_on: datetime.date,
    members: int,
    present: int,
    list_published_on: datetime.date | None,
    votes: Mapping[int, int],
    comment: str = "",
) -> CouncilMeeting:
    """Record the council's meeting on ``proposal`` and the votes for each line (by line id)."""
    with transaction.atomic():
        perform(proposal, "vote", user, comment)
        lines = list(proposal.lines.select_related("award_type"))
        reason = publication_refusal(lines, held_on, list_published_on)
        if reason:
            raise Refused(reason)
        for line in lines:
            count = votes.get(line.pk)
            if count is not None and count > present:
                raise Refused(_("More votes for “%(line)s” than members present.") % {"line": line})
            line.votes_for = count
        meeting = CouncilMeeting.objects.filter(proposal=proposal).first() or CouncilMeeting(
            proposal=proposal
        )
        meeting.held_on, meeting.members, meeting.present = held_on, members, present
        meeting.list_published_on = list_published_on
        meeting.full_clean()
        meeting._history_user = user
        with recording(Path.STEP, "vote"):
            meeting.save()
            ProposalLine.objects.bulk_update(lines, ["votes_for"])
    return meeting


def passed_lines(proposal: Proposal) -> list[ProposalLine]:
    """The lines of ``proposal`` the council passed."""
    meeting = getattr(proposal, "meeting", None)
    if meeting is None:
        return []
    lines = proposal.lines.select_related("award_type", "person", "collective")
    return [line for line in lines if passes(line.votes_for, meeting.members, line.award_type)]
