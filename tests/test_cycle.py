"""The emulation year's proposals (movement.cycle, issue #16): each step taken only by its role,
from its state, within the unit editor's units; logged and audited; documents told by their
bytes and served only to those who may see the proposal; the council's vote and its rules."""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from movement.cycle import council
from movement.cycle.attachments import AttachmentError, attach, content_type
from movement.cycle.transitions import Refused, available, perform
from movement.models import (
    Person,
    Proposal,
    ProposalLine,
    StaffProfile,
    Step,
    Unit,
)
from tests.factories import member

State = Proposal.State

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_file(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


@pytest.fixture
def other_unit(ministry) -> Unit:
    return Unit.objects.create(name="Cục Cảnh sát giao thông", slug="cuc-csgt", parent=ministry)


@pytest.fixture
def users(division, other_unit) -> dict[str, User]:
    people = {
        role: member(role) for role in ["officer", "secretary", "approver", "viewer"]
    }
    people["editor"] = member("unit editor", division)
    stranger = User.objects.create_user("stranger", password="x", is_staff=True)
    stranger.groups.add(Group.objects.get(name="Cán bộ đơn vị"))
    StaffProfile.objects.create(user=stranger, unit=other_unit)
    people["stranger"] = stranger
    return people


@pytest.fixture
def officer_person(division) -> Person:
    return Person.objects.create(full_name="Trần Thị Lan", slug="tran-thi-lan", unit=division)


@pytest.fixture
def proposal(division, officer_person, order_type, flag_type) -> Proposal:
    proposal = Proposal.objects.create(unit=division, year=2017, title="Đề nghị khen thưởng 2017")
    ProposalLine.objects.create(
        proposal=proposal, person=officer_person, award_type=order_type, achievement="Phá án"
    )
    ProposalLine.objects.create(proposal=proposal, collective=division, award_type=flag_type)
    return proposal


def moved(proposal: Proposal, *steps: tuple[str, User, str]) -> Proposal:
    for name, user, *comment in steps:
        perform(proposal, name, user, *comment)
    proposal.refresh_from_db()
    return proposal


def page_url(proposal: Proposal) -> str:
    return reverse("admin:movement_proposal_page", args=[proposal.pk])


def step_url(proposal: Proposal, name: str) -> str:
    return reverse("admin:movement_proposal_step", args=[proposal.pk, name])


# -- The steps and who takes them ---------------------------------------------------------------


def test_the_whole_way_from_draft_to_the_council(proposal, users):
    editor, officer = users["editor"], users["officer"]
    moved(proposal, ("send", editor), ("receive", officer), ("return", officer, "Thiếu tờ trình"))
    assert proposal.state == State.RETURNED
    moved(proposal, ("send", editor), ("receive", officer), ("accept", officer))
    assert proposal.state == State.ELIGIBLE
    moved(proposal, ("submit", officer))
    assert proposal.state == State.AT_COUNCIL
    log = list(proposal.steps.values_list("action", "from_state", "to_state", "user__username"))
    assert log[2] == ("return", "reviewing", "returned", "officer")
    assert [row[0] for row in log] == [
        "send", "receive", "return", "send", "receive", "accept", "submit",
    ]
    assert Step.objects.get(action="return").comment == "Thiếu tờ trình"


@pytest.mark.parametrize(
    ("role", "state", "steps"),
    [
        ("editor", State.DRAFT, ["send"]),
        ("editor", State.RETURNED, ["send"]),
        ("editor", State.SENT, []),
        ("stranger", State.DRAFT, []),
        ("officer", State.DRAFT, []),
        ("officer", State.SENT, ["receive"]),
        ("officer", State.REVIEWING, ["return", "accept", "reject"]),
        ("officer", State.ELIGIBLE, ["submit"]),
        ("secretary", State.AT_COUNCIL, ["vote"]),
        ("secretary", State.REVIEWING, []),
        ("approver", State.AT_COUNCIL, ["decide"]),
        ("approver", State.ELIGIBLE, []),
        ("viewer", State.REVIEWING, []),
    ],
)
def test_each_role_sees_the_buttons_of_its_steps_only(proposal, users, role, state, steps):
    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    proposal.refresh_from_db()
    assert [transition.name for transition in available(proposal, users[role])] == steps


@pytest.mark.parametrize(
    ("role", "state", "name"),
    [
        ("officer", State.DRAFT, "send"),  # not the officer's step
        ("editor", State.SENT, "receive"),  # not the unit's step
        ("editor", State.SENT, "send"),  # sent already
        ("officer", State.SENT, "accept"),  # not received for review yet
        ("officer", State.RETURNED, "submit"),  # out of order
        ("secretary", State.ELIGIBLE, "submit"),  # the officer's step
        ("approver", State.AT_COUNCIL, "submit"),
        ("viewer", State.REVIEWING, "accept"),
        ("stranger", State.DRAFT, "send"),  # another unit's
    ],
)
def test_a_step_out_of_order_or_role_is_refused_by_post(
    client, proposal, users, role, state, name
):
    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    client.force_login(users[role])
    response = client.post(step_url(proposal, name), {"comment": "x"})
    proposal.refresh_from_db()
    assert proposal.state == state
    assert not Step.objects.exists()
    if role == "stranger":
        assert response.status_code == 404
    else:
        assert response.status_code == 302


def test_a_step_is_taken_by_post_and_logged_with_its_history(client, proposal, users):
    client.force_login(users["editor"])
    assert client.get(step_url(proposal, "send")).status_code == 405
    response = client.post(step_url(proposal, "send"))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == State.SENT
    latest = proposal.history.latest()
    assert latest.history_user == users["editor"]
    assert latest.history_change_reason == "step: send"
    assert latest.state == State.SENT


def test_a_return_or_a_refusal_says_why(proposal, users):
    moved(proposal, ("send", users["editor"]), ("receive", users["officer"]))
    for name in ["return", "reject"]:
        with pytest.raises(Refused, match="Nêu lý do|Say why"):
            perform(proposal, name, users["officer"], "  ")
    assert proposal.state == State.REVIEWING


def test_an_empty_proposal_is_not_sent(division, users):
    empty = Proposal.objects.create(unit=division, year=2017, title="Trống")
    with pytest.raises(Refused):
        perform(empty, "send", users["editor"])


def test_a_step_reads_the_state_stored_not_the_one_a_page_showed(proposal, users):
    stale = Proposal.objects.get(pk=proposal.pk)
    perform(proposal, "send", users["editor"])
    # The page the editor opened before still said "draft": sending again is refused.
    with pytest.raises(Refused):
        perform(stale, "send", users["editor"])
    assert Step.objects.count() == 1


# -- Unit scope ---------------------------------------------------------------------------------


def test_a_unit_editor_never_sees_another_units_proposal(client, proposal, users):
    client.force_login(users["stranger"])
    assert client.get(page_url(proposal)).status_code == 404
    listing = client.get(reverse("admin:movement_proposal_changelist"))
    assert listing.status_code == 200
    assert proposal.title not in listing.content.decode()
    client.force_login(users["editor"])
    assert client.get(page_url(proposal)).status_code == 200
    assert proposal.title in client.get(reverse("admin:movement_proposal_changelist")).content.decode()


def test_a_sent_proposals_lines_no_longer_change(client, proposal, users):
    client.force_login(users["editor"])
    change = reverse("admin:movement_proposal_change", args=[proposal.pk])
    assert client.get(change).context["has_change_permission"]
    perform(proposal, "send", users["editor"])
    assert not client.get(change).context["has_change_permission"]

