"""The steps a proposal takes, who may take each, and the log they leave.

Plain model methods rather than a state-machine library: eight states and eight steps fit in one
table (:data:`TRANSITIONS`), and every step needs the same three checks a library would not make
for us anyway — the role (a permission of the user's group), the unit editor's bound
(movement.permissions), and the state the proposal is in when the step is taken (read under a row
lock, so two people pressing buttons at once cannot both move it). A step not open to the user, or
not from the proposal's state, is refused whatever the URL or the form sent.

The states and steps, drawn in the README ("Proposals").
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from movement.audit import Path, recording
from movement.models import Proposal, Step
from movement.permissions import may_edit

State = Proposal.State


class Refused(Exception):
    """A step the user may not take now; the message says why, in the user's language."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: tuple[str, ...]
    target: str
    permission: str
    # A reason the unit is told (a proposal returned or found not eligible).
    needs_comment: bool = False
    # Taken by the unit itself: only within the user's units (a unit editor's bound).
    by_unit: bool = False
    # Taken through its own form (the council's vote, the decision), not a bare button.
    has_form: bool = False


TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(
            "send",
            _("Send"),
            (State.DRAFT, State.RETURNED),
            State.SENT,
            "movement.send_proposal",
            by_unit=True,
        ),
        Transition(
            "receive",
            _("Start the review"),
            (State.SENT,),
            State.REVIEWING,
            "movement.review_proposal",
        ),
        Transition(
            "return",
            _("Return to the unit"),
            (State.REVIEWING,),
            State.RETURNED,
            "movement.review_proposal",
            needs_comment=True,
        ),
        Transition(
            "accept", _("Eligible"), (State.REVIEWING,), State.ELIGIBLE, "movement.review_proposal"
        ),
        Transition(
            "reject",
            _("Not eligible"),
            (State.REVIEWING,),
            State.INELIGIBLE,
            "movement.review_proposal",
            needs_comment=True,
        ),
        Transition(
            "submit",
            _("Submit to the council"),
            (State.ELIGIBLE,),
            State.AT_COUNCIL,
            "movement.review_proposal",
        ),
        Transition(
            "vote",
            _("Record the council's vote"),
            (State.AT_COUNCIL,),
            State.AT_COUNCIL,
            "movement.record_vote",
            has_form=True,
        ),
        Transition(
            "decide",
            _("Record the decision"),
            (State.AT_COUNCIL,),
            State.DECIDED,
            "movement.record_decision",
            has_form=True,
        ),
    ]
}


def refusal(proposal: Proposal, transition: Transition, user, comment: str = "") -> str:
    """Why ``user`` may not take ``transition`` on ``proposal`` now; "" when they may."""
    if not user.has_perm(transition.permission):
        return gettext("Your role does not take this step.")
    if not Proposal.objects.visible_to(user).filter(pk=proposal.pk).exists():
        return gettext("This proposal is not of your units.")
    if transition.by_unit and not may_edit(user, proposal):
        return gettext("This proposal is not of your units.")
    if proposal.state not in transition.sources:
        return gettext("This step cannot be taken from the state “%(state)s”.") % {
            "state": proposal.get_state_display()
        }
    if transition.needs_comment and not comment.strip():
        return gettext("Say why: the unit reads the reason.")
    if transition.name == "send" and not proposal.lines.exists():
        return gettext("The proposal has no lines: add at least one before sending it.")
    if transition.name == "decide":
        meeting = getattr(proposal, "meeting", None)
        if meeting is None:
            return gettext("The council's vote is not recorded yet.")
    return ""


def available(proposal: Proposal, user) -> list[Transition]:
    """The steps ``user`` may take on ``proposal`` now: the buttons they see."""
    return [
        transition
        for transition in TRANSITIONS.values()
        if proposal.state in transition.sources
        and user.has_perm(transition.permission)
        and (not transition.by_unit or may_edit(user, proposal))
    ]


def states_waiting_for(user) -> list[str]:
    """The states from which ``user``'s role takes a step."""
    states = []
    for transition in TRANSITIONS.values():
        if user.has_perm(transition.permission):
            states += [state for state in transition.sources if state not in states]
    return states


def perform(proposal: Proposal, name: str, user, comment: str = "") -> Step:
    """Take step ``name`` on ``proposal`` as ``user``, or raise :class:`Refused`.

    The proposal is read again under a row lock: its state is the one stored now, not the one a
    page showed. The step is logged (:class:`Step`) and the proposal's history records it.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise Refused(gettext("There is no such step."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        reason = refusal(locked, transition, user, comment)
        if reason:
            raise Refused(reason)
        step = Step.objects.create(
            proposal=locked,
            action=transition.name,
            from_state=locked.state,
            to_state=transition.target,
            user=user,
            comment=comment.strip(),
        )
        if locked.state != transition.target:
            locked.state = transition.target
            locked._history_user = user
            with recording(Path.STEP, transition.name):
                locked.save(update_fields=["state"])
    proposal.state, proposal.version = locked.state, locked.version
    return step
