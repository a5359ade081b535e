"""The decision on a proposal: the awards of the lines the council passed, given by one
:class:`~movement.models.Decision` (the decisions' own model and API, issue #16's other half)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from movement.audit import Path, recording
from movement.models import Award, Decision, Proposal, ProposalLine

from .council import passed_lines
from .transitions import Refused, perform


def award_of(line: ProposalLine, proposal: Proposal) -> Award:
    return Award(
        award_type=line.award_type,
        year=proposal.year,
        recipient_person=line.person,
        recipient_unit=line.collective,
        campaign=proposal.campaign,
        note=line.achievement,
    )


def record_decision(
    proposal: Proposal,
    user,
    *,
    number: str,
    date: datetime.date,
    issuer: str,
    signer: str = "",
    signer_position: str = "",
    comment: str = "",
) -> Decision:
    """Record the decision on ``proposal``: an award for each line the council passed, linked to
    its line, and the proposal "decided"; all or nothing."""
    with transaction.atomic():
        perform(proposal, "decide", user, comment)
        lines = passed_lines(proposal)
        if not lines:
            raise Refused(
                _("The council passed no line of this proposal: there is nothing to give.")
            )
        decision = Decision(
            number=number,
            date=date,
            issuer=issuer,
            signer=signer,
            signer_position=signer_position,
            subject=_("On the awards proposed in “%(proposal)s”") % {"proposal": proposal},
        )
        decision.full_clean()
        decision._history_user = user
        with recording(Path.STEP, "decide"):
            decision.save()
            awards = [award_of(line, proposal) for line in lines]
            for award in awards:
                award._history_user = user
            try:
                created = decision.record_awards(awards)
            except ValidationError as error:
                raise Refused(
                    "; ".join(
                        f"{lines[position]}: {' '.join(messages)}"
                        for position, messages in error.message_dict.items()
                    )
                ) from None
            for line, award in zip(lines, created, strict=True):
                line.award = award
            ProposalLine.objects.bulk_update(lines, ["award"])
            Proposal.objects.filter(pk=proposal.pk).update(decision=decision)
    proposal.decision = decision
    return decision
