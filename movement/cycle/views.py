"""The staff's pages of the emulation year, inside the admin: a proposal with its lines, their
eligibility, documents, log and the steps open to the reader; the council's vote; the decision;
each user's to-do list; a subtree's registrations.

Every view finds its proposal through :func:`proposal_for`: a proposal the user may not see is
"not found" (404), not "forbidden", so a unit editor learns nothing of another unit's.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from movement.models import (
    Attachment,
    AwardType,
    CouncilMeeting,
    Proposal,
    Registration,
    Step,
)
from movement.permissions import editable_unit_ids

from . import attachments
from .attachments import AttachmentError, attach
from .checks import line_checks
from .council import passes, record_vote, threshold
from .forms import AttachmentForm, DecisionForm, StepForm, VoteForm
from .transitions import TRANSITIONS, Refused, available, perform

State = Proposal.State


def proposal_for(request: HttpRequest, pk: int) -> Proposal:
    """The proposal ``pk`` if the user may see it; 404 otherwise."""
    queryset = Proposal.objects.visible_to(request.user).select_related("unit", "campaign")
    return get_object_or_404(queryset, pk=pk)


def page(request: HttpRequest, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {**admin.site.each_context(request), "title": title, **context},
    )


def proposal_url(proposal: Proposal) -> str:
    return reverse("admin:movement_proposal_page", args=[proposal.pk])


def proposal_page(request: HttpRequest, pk: int) -> TemplateResponse:
    """A proposal: its lines with what the rules say of each, its documents, its log."""
    proposal = proposal_for(request, pk)
    meeting = CouncilMeeting.objects.filter(proposal=proposal).first()
    # The lines' award types are few (often one): read once each, not once per line.
    lines = list(
        proposal.lines.select_related("person__rank", "collective", "award").prefetch_related(
            Prefetch("award_type", AwardType.objects.select_related("legal_source"))
        )
    )
    checks = line_checks(lines, proposal.year)
    # Each row's labels are made here, as flat strings: the template then looks up one dict key
    # for each (not a chain through the line's models) and a type's label is made once. Half the
    # time of a 500-line page went into rendering its rows.
    type_labels: dict[int, str] = {}
    rows = [
        {
            "line": line,
            "person": str(line.person) if line.person else "",
            "rank": str(line.person.rank) if line.person and line.person.rank else "",
            "collective": str(line.collective) if line.collective else "",
            "award_type": type_labels.setdefault(line.award_type_id, str(line.award_type)),
            "achievement": line.achievement,
            "eligible": check.eligible,
            "unmet": [str(reason) for reason in check.unmet],
            "passed": meeting is not None
            and passes(line.votes_for, meeting.members, line.award_type),
            "threshold": threshold(line.award_type),
        }
        for line, check in zip(lines, checks, strict=True)
    ]
    editable = not attachments.refusal(proposal, request.user, attachments.ADD)
    return page(
        request,
        "admin/movement/proposal/page.html",
        str(proposal),
        proposal=proposal,
        rows=rows,
        counts={
            "eligible": sum(1 for check in checks if check.eligible),
            "unmet": sum(1 for check in checks if check.eligible is False),
            "unknown": sum(1 for check in checks if check.eligible is None),
        },
        attachments=list(proposal.attachments.select_related("uploaded_by")),
        steps=[(step, step_label(step)) for step in proposal.steps.select_related("user")],
        meeting=meeting,
        transitions=available(proposal, request.user),
        step_form=StepForm(),
        attachment_form=AttachmentForm() if editable else None,
        may_remove=not attachments.refusal(proposal, request.user, attachments.REMOVE),
        editable=editable,
        may_change=editable and request.user.has_perm("movement.change_proposal"),
    )


def step_label(step: Step) -> str:
    """What a line of the log says was done."""
    if step.action in TRANSITIONS:
        return TRANSITIONS[step.action].label
    if step.action == attachments.REMOVAL:
        return _("Document removed")
    return step.action


@require_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Take step ``name``: refused with the reason unless the user's role takes it now."""
    proposal = proposal_for(request, pk)
    transition = TRANSITIONS.get(name)
    if transition is None or transition.has_form:
        raise Http404
    form = StepForm(request.POST)
    form.is_valid()
    try:
        perform(proposal, name, request.user, form.cleaned_data.get("comment", ""))
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Done: the proposal is now “%(state)s”.") % {"state": proposal.get_state_display()},
        )
    return redirect(proposal_url(proposal))


@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a document, while the unit holds the proposal, to a user who may change it."""
    proposal = proposal_for(request, pk)
    if attachments.refusal(proposal, request.user, attachments.ADD):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of document and a file."))
        return redirect(proposal_url(proposal))
    try:
        attachment = attach(
            proposal, form.cleaned_data["kind"], form.cleaned_data["file"], request.user
        )
    except AttachmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attached: %(name)s.") % {"name": attachment.name})
    return redirect(proposal_url(proposal))


def download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A document of a proposal the user may see, as a download (never shown inline)."""
    proposal = proposal_for(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, proposal=proposal)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Remove a document the unit attached by mistake: a page asks first (GET), the removal is
    a POST, taken only while the unit holds the proposal, by a role that may, in its units."""
    proposal = proposal_for(request, pk)
    # Only a document of this proposal: another's number in the address is "not found".
    attachment = get_object_or_404(Attachment, pk=attachment_pk, proposal=proposal)
    if attachments.refusal(proposal, request.user, attachments.REMOVE):
        raise PermissionDenied
    if request.method == "POST":
        try:
            attachments.remove(attachment, request.user)
        except Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Removed: %(name)s.") % {"name": attachment.name})
        return redirect(proposal_url(proposal))
    return page(
        request,
        "admin/movement/proposal/remove.html",
        _("Remove a document"),
        proposal=proposal,
        attachment=attachment,
    )


def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """The council's meeting and its votes, recorded by its secretary."""
    proposal = proposal_for(request, pk)
    if not request.user.has_perm("movement.record_vote"):
        raise PermissionDenied
    lines = list(proposal.lines.select_related("person", "collective", "award_type"))
    form = VoteForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_vote(
                proposal,
                request.user,
                held_on=data["held_on"],
                members=data["members"],
                present=data["present"],
                list_published_on=data["list_published_on"],
                votes=form.votes(),
                comment=data["comment"],
            )
        except (Refused, ValidationError) as error:
            form.add_error(
                None, error.messages if isinstance(error, ValidationError) else str(error)
            )
        else:
            messages.success(request, _("The council's vote is recorded."))
            return redirect(proposal_url(proposal))
    return page(
        request,
        "admin/movement/proposal/vote.html",
        _("Council vote: %(proposal)s") % {"proposal": proposal},
        proposal=proposal,
        form=form,
    )


def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision on the lines the council passed, recorded by the approver."""
    # Imported here: the decision lane's model (movement.models.decisions).
    from .decision import record_decision

    proposal = proposal_for(request, pk)
    if not request.user.has_perm("movement.record_decision"):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        comment = data.pop("comment")
        try:
            record_decision(proposal, request.user, comment=comment, **data)
        except (Refused, ValidationError) as error:
            form.add_error(
                None, error.messages if isinstance(error, ValidationError) else str(error)
            )
        else:
            messages.success(request, _("The decision is recorded and its awards given."))
            return redirect(proposal_url(proposal))
    return page(
        request,
        "admin/movement/proposal/decide.html",
        _("Decision: %(proposal)s") % {"proposal": proposal},
        proposal=proposal,
        form=form,
    )


def todo(request: HttpRequest) -> TemplateResponse:
    """What waits for the user: each state's proposals whose next step is theirs."""
    waiting = (
        Proposal.objects.waiting_for(request.user)
        .select_related("unit")
        .annotate(line_count=Count("lines"))
        .order_by("state", "-pk")
    )
    groups: dict[str, list[Proposal]] = {}
    for proposal in waiting:
        groups.setdefault(proposal.state, []).append(proposal)
    return page(
        request,
        "admin/movement/proposal/todo.html",
        _("To do"),
        groups=[(State(state).label, proposals) for state, proposals in groups.items()],
    )


def registrations(request: HttpRequest) -> TemplateResponse:
    """A year's registrations of the user's units (all for those bound to none), by title and
    by unit."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = Registration.objects.order_by("-year").values_list("year", flat=True).first()
    queryset = Registration.objects.filter(year=year)
    allowed = editable_unit_ids(request.user)
    if allowed is not None:
        queryset = queryset.filter(unit__in=allowed)
    return page(
        request,
        "admin/movement/registration/summary.html",
        _("Registrations of %(year)s") % {"year": year or ""},
        year=year,
        years=Registration.objects.order_by("-year").values_list("year", flat=True).distinct(),
        per_title=queryset.per_title(),
        per_unit=queryset.per_unit(),
    )


def todo_count(request: HttpRequest) -> JsonResponse:
    """How many proposals wait for the user: the figure in the admin's header."""
    response = JsonResponse({"count": Proposal.objects.waiting_for(request.user).count()})
    patch_cache_control(response, private=True, no_store=True)
    return response
