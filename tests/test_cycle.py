"""The emulation year's proposals (movement.cycle, issue #16): each step taken only by its role,
from its state, within the unit editor's units; logged and audited; documents told by their
bytes and served only to those who may see the proposal; the council's vote and its rules."""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movement.cycle import council
from movement.cycle.attachments import AttachmentError, attach, content_type
from movement.cycle.attachments import remove as remove_document
from movement.cycle.checks import line_checks
from movement.cycle.transitions import Refused, available, perform
from movement.eligibility import verdict
from movement.models import (
    Attachment,
    Award,
    AwardType,
    CouncilMeeting,
    Decision,
    Person,
    Proposal,
    ProposalLine,
    Rank,
    StaffProfile,
    Step,
    Unit,
)
from movement.models.service import Discipline, Initiative, Inspection, PersonRating, Rating
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
    people = {role: member(role) for role in ["officer", "secretary", "approver", "viewer"]}
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
        "send",
        "receive",
        "return",
        "send",
        "receive",
        "accept",
        "submit",
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
def test_a_step_out_of_order_or_role_is_refused_by_post(client, proposal, users, role, state, name):
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


def test_a_return_or_a_refusal_says_why(proposal, users, english):
    moved(proposal, ("send", users["editor"]), ("receive", users["officer"]))
    for name in ["return", "reject"]:
        with pytest.raises(Refused, match="Say why"):
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
    assert (
        proposal.title in client.get(reverse("admin:movement_proposal_changelist")).content.decode()
    )


def test_a_sent_proposals_lines_no_longer_change(client, proposal, users):
    client.force_login(users["editor"])
    change = reverse("admin:movement_proposal_change", args=[proposal.pk])
    assert client.get(change).context["has_change_permission"]
    perform(proposal, "send", users["editor"])
    assert not client.get(change).context["has_change_permission"]


# -- Documents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        (office_file("word/document.xml"), "wordprocessingml"),
        (office_file("xl/workbook.xml"), "spreadsheetml"),
    ],
)
def test_a_document_is_told_by_its_bytes(data, kind):
    assert kind in content_type(data)


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 a program",  # a Windows program, whatever its name says
        b"<html><script>alert(1)</script></html>",
        office_file("content.xml"),  # a zip, not an Office document
        b"PK\x03\x04 cut short",
        b"",
    ],
)
def test_anything_else_is_refused(data):
    with pytest.raises(AttachmentError):
        content_type(data)


def test_a_document_too_large_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(AttachmentError, match="MB"):
        content_type(PDF)


def test_a_document_is_kept_and_served_only_to_who_may_see_the_proposal(client, proposal, users):
    client.force_login(users["editor"])
    upload = SimpleUploadedFile("to-trinh.exe", PDF, content_type="application/x-msdownload")
    response = client.post(
        reverse("admin:movement_proposal_upload", args=[proposal.pk]),
        {"kind": "submission", "file": upload},
    )
    assert response.status_code == 302
    [attachment] = proposal.attachments.all()
    # Its type is the bytes', not the name's or the browser's; its stored name is ours.
    assert attachment.content_type == "application/pdf"
    assert "to-trinh" not in attachment.file.name
    url = reverse("admin:movement_proposal_download", args=[proposal.pk, attachment.pk])
    for role, status in [("editor", 200), ("officer", 200), ("stranger", 404)]:
        client.force_login(users[role])
        response = client.get(url)
        assert response.status_code == status, role
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    assert not str(attachment.file.url).startswith(reverse("admin:index"))


def test_a_program_renamed_pdf_is_refused_with_a_message(client, proposal, users):
    client.force_login(users["editor"])
    upload = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(
        reverse("admin:movement_proposal_upload", args=[proposal.pk]),
        {"kind": "achievements", "file": upload},
        follow=True,
    )
    assert not proposal.attachments.exists()
    assert "PDF" in response.content.decode()


def test_documents_are_attached_only_while_the_unit_holds_the_proposal(client, proposal, users):
    url = reverse("admin:movement_proposal_upload", args=[proposal.pk])
    client.force_login(users["stranger"])
    assert (
        client.post(url, {"kind": "other", "file": SimpleUploadedFile("a.pdf", PDF)}).status_code
        == 404
    )
    perform(proposal, "send", users["editor"])
    client.force_login(users["editor"])
    response = client.post(url, {"kind": "other", "file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 403
    client.force_login(users["officer"])
    response = client.post(url, {"kind": "other", "file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 403
    assert not proposal.attachments.exists()


def test_attach_checks_the_bytes_itself(proposal, users):
    with pytest.raises(AttachmentError):
        attach(proposal, "other", SimpleUploadedFile("x.pdf", b"not a pdf"), users["editor"])


# -- Removing a document attached by mistake ----------------------------------------------------


def attached(proposal: Proposal, user: User, name: str = "to-trinh.pdf") -> Attachment:
    return attach(proposal, "submission", SimpleUploadedFile(name, PDF), user)


def remove_url(attachment: Attachment) -> str:
    return reverse(
        "admin:movement_proposal_remove_document", args=[attachment.proposal_id, attachment.pk]
    )


def stored(attachment: Attachment) -> bool:
    return attachment.file.storage.exists(attachment.file.name)


def test_a_document_attached_by_mistake_is_removed_after_a_confirmation(
    client, proposal, users, django_capture_on_commit_callbacks
):
    editor = users["editor"]
    attachment = attached(proposal, editor)
    kept = attached(proposal, editor, "bien-ban.pdf")
    client.force_login(editor)
    assert remove_url(attachment) in client.get(page_url(proposal)).content.decode()
    # The button opens a page that asks; only its form removes.
    confirmation = client.get(remove_url(attachment)).content.decode()
    assert "to-trinh.pdf" in confirmation
    assert 'method="post"' in confirmation
    assert "Có, gỡ bỏ" in confirmation
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(attachment))
    assert response.status_code == 302
    assert response.url == page_url(proposal)
    assert list(proposal.attachments.all()) == [kept]
    assert not stored(attachment)
    assert stored(kept)
    # The log says who removed which document, and when.
    step = Step.objects.get()
    assert (step.action, step.user, step.from_state, step.to_state) == (
        "remove_document",
        editor,
        State.DRAFT,
        State.DRAFT,
    )
    assert step.comment == "Tờ trình: to-trinh.pdf (PDF, 45\xa0byte)"
    page = client.get(page_url(proposal)).content.decode()
    assert "Gỡ bỏ tài liệu kèm theo" in page
    assert "to-trinh.pdf" in page
    assert remove_url(attachment) not in page


def test_opening_the_confirmation_removes_nothing(
    client, proposal, users, django_capture_on_commit_callbacks
):
    attachment = attached(proposal, users["editor"])
    client.force_login(users["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(remove_url(attachment)).status_code == 200
        assert client.put(remove_url(attachment)).status_code == 405
        assert client.delete(remove_url(attachment)).status_code == 405
    assert proposal.attachments.get() == attachment
    assert stored(attachment)
    assert not Step.objects.exists()


def test_a_returned_proposals_document_is_removed_too(client, proposal, users):
    attachment = attached(proposal, users["editor"])
    moved(proposal, ("send", users["editor"]), ("receive", users["officer"]))
    moved(proposal, ("return", users["officer"], "Tờ trình sai mẫu"))
    client.force_login(users["editor"])
    assert client.post(remove_url(attachment)).status_code == 302
    assert not proposal.attachments.exists()
    assert Step.objects.filter(action="remove_document", from_state=State.RETURNED).exists()


@pytest.mark.parametrize(
    "state",
    [state for state in State if state not in (State.DRAFT, State.RETURNED)],
)
def test_a_sent_proposals_documents_stay(client, proposal, users, state):
    attachment = attached(proposal, users["editor"])
    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    for role in ["editor", "officer"]:
        client.force_login(users[role])
        assert remove_url(attachment) not in client.get(page_url(proposal)).content.decode()
        assert client.get(remove_url(attachment)).status_code == 403
        assert client.post(remove_url(attachment)).status_code == 403
    assert proposal.attachments.get() == attachment
    assert stored(attachment)
    assert not Step.objects.exists()


def test_a_removal_reads_the_state_stored_not_the_one_a_page_showed(proposal, users, english):
    attachment = attached(proposal, users["editor"])
    stale = Attachment.objects.get(pk=attachment.pk)
    perform(proposal, "send", users["editor"])
    # The confirmation the editor opened before the proposal was sent still said "draft".
    with pytest.raises(Refused, match="draft or returned"):
        remove_document(stale, users["editor"])
    assert proposal.attachments.exists()
    assert list(Step.objects.values_list("action", flat=True)) == ["send"]


def test_another_units_documents_are_not_found_nor_removed(client, proposal, users, other_unit):
    attachment = attached(proposal, users["editor"])
    stranger = users["stranger"]
    client.force_login(stranger)
    assert client.get(remove_url(attachment)).status_code == 404
    assert client.post(remove_url(attachment)).status_code == 404
    # A unit editor who also reads every unit's proposals (the viewers' group too) sees the
    # document, and may not remove it: the bound still holds.
    stranger.groups.add(Group.objects.get(name="Xem"))
    assert remove_url(attachment) not in client.get(page_url(proposal)).content.decode()
    assert client.get(remove_url(attachment)).status_code == 403
    assert client.post(remove_url(attachment)).status_code == 403
    assert proposal.attachments.get() == attachment
    assert not Step.objects.exists()


def test_a_role_that_does_not_remove_documents_does_not(client, proposal, users, division):
    from django.contrib.auth.models import Permission

    attachment = attached(proposal, users["editor"])
    # In the proposal's unit, adding documents but not removing them: the role alone refuses.
    adder = User.objects.create_user("adder", password="x", is_staff=True)
    adder.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_proposal", "add_attachment"])
    )
    StaffProfile.objects.create(user=adder, unit=division)
    for user in [adder, users["viewer"], users["secretary"], users["approver"]]:
        client.force_login(user)
        assert remove_url(attachment) not in client.get(page_url(proposal)).content.decode()
        assert client.get(remove_url(attachment)).status_code == 403, user
        assert client.post(remove_url(attachment)).status_code == 403, user
    assert proposal.attachments.get() == attachment
    assert not Step.objects.exists()


def test_another_proposals_document_is_not_removed_through_ones_own(
    client, proposal, users, other_unit
):
    # A forged address: the editor's own proposal, another unit's document number.
    theirs = Proposal.objects.create(unit=other_unit, year=2017, title="Đề nghị của Cục")
    attachment = attached(theirs, users["stranger"])
    forged = reverse("admin:movement_proposal_remove_document", args=[proposal.pk, attachment.pk])
    client.force_login(users["editor"])
    assert client.get(forged).status_code == 404
    assert client.post(forged).status_code == 404
    missing = reverse("admin:movement_proposal_remove_document", args=[proposal.pk, 99999])
    assert client.post(missing).status_code == 404
    assert theirs.attachments.get() == attachment
    assert not Step.objects.exists()


def test_a_document_is_removed_once(proposal, users, english):
    attachment = attached(proposal, users["editor"])
    remove_document(attachment, users["editor"])
    # A second press of the button, from the same page.
    with pytest.raises(Refused, match="already removed"):
        remove_document(attachment, users["editor"])
    assert Step.objects.count() == 1


def test_a_removal_undone_keeps_its_file(proposal, users, django_capture_on_commit_callbacks):
    attachment = attached(proposal, users["editor"])
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        remove_document(attachment, users["editor"])
        raise RuntimeError("the request failed after the removal")
    assert proposal.attachments.get() == attachment
    assert stored(attachment)


# -- The council --------------------------------------------------------------------------------


def at_council(proposal: Proposal, users) -> Proposal:
    editor, officer = users["editor"], users["officer"]
    return moved(
        proposal, ("send", editor), ("receive", officer), ("accept", officer), ("submit", officer)
    )


def test_a_line_passes_by_its_types_threshold_over_all_members(settings, order_type, flag_type):
    # More than half of all members by default; 90 % for the titles the setting names.
    assert council.passes(6, 11, flag_type)
    assert not council.passes(5, 11, flag_type)
    assert not council.passes(5, 10, flag_type)
    settings.COUNCIL_THRESHOLDS = {flag_type.name: {"percent": 90, "above": False, "citation": ""}}
    assert council.passes(9, 10, flag_type)
    assert not council.passes(8, 10, flag_type)
    assert not council.passes(None, 10, order_type)


def test_an_order_needs_its_list_published_ten_working_days_before(proposal, users, english):
    at_council(proposal, users)
    lines = {line.award_type.category: line for line in proposal.lines.all()}
    votes = {line.pk: 9 for line in lines.values()}
    meeting = {"held_on": datetime.date(2017, 12, 15), "members": 9, "present": 9, "votes": votes}
    with pytest.raises(Refused, match="published"):
        council.record_vote(proposal, users["secretary"], list_published_on=None, **meeting)
    # Friday 1/12 to Friday 15/12: nine working days between.
    with pytest.raises(Refused, match="10"):
        council.record_vote(
            proposal, users["secretary"], list_published_on=datetime.date(2017, 12, 1), **meeting
        )
    assert not Step.objects.filter(action="vote").exists()
    council.record_vote(
        proposal, users["secretary"], list_published_on=datetime.date(2017, 11, 30), **meeting
    )
    assert set(proposal.lines.values_list("votes_for", flat=True)) == {9}
    assert Step.objects.filter(action="vote", user=users["secretary"]).exists()


def test_votes_are_recorded_only_by_the_secretary_before_the_council(client, proposal, users):
    url = reverse("admin:movement_proposal_vote", args=[proposal.pk])
    client.force_login(users["officer"])
    assert client.get(url).status_code == 403
    client.force_login(users["secretary"])
    data = {"held_on": "15/12/2017", "members": 9, "present": 9, "list_published_on": "01/11/2017"}
    response = client.post(url, data)
    # Still a draft: refused, said on the form, nothing recorded.
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Step.objects.exists()


def test_more_votes_than_members_present_are_refused(proposal, users, flag_type):
    at_council(proposal, users)
    line = proposal.lines.get(award_type=flag_type)
    with pytest.raises(Refused):
        council.record_vote(
            proposal,
            users["secretary"],
            held_on=datetime.date(2017, 12, 15),
            members=9,
            present=5,
            list_published_on=datetime.date(2017, 11, 1),
            votes={line.pk: 6},
        )


# -- The decision -------------------------------------------------------------------------------


def voted(proposal: Proposal, users, votes_for: int = 9) -> Proposal:
    at_council(proposal, users)
    council.record_vote(
        proposal,
        users["secretary"],
        held_on=datetime.date(2017, 12, 15),
        members=9,
        present=9,
        list_published_on=datetime.date(2017, 11, 1),
        votes={line.pk: votes_for for line in proposal.lines.all()},
    )
    return proposal


DECISION = {
    "number": "1234/QĐ-BCA",
    "date": "20/12/2017",
    "issuer": "Bộ Công an",
    "signer": "Nguyễn Văn A",
    "signer_position": "Thứ trưởng",
}


def test_the_approvers_decision_gives_the_passed_lines_awards_linked_both_ways(
    client, proposal, users, officer_person, division
):
    voted(proposal, users)
    url = reverse("admin:movement_proposal_decide", args=[proposal.pk])
    client.force_login(users["approver"])
    response = client.post(url, DECISION)
    assert response.status_code == 302, response.context["form"].errors
    proposal.refresh_from_db()
    assert proposal.state == State.DECIDED
    decision = proposal.decision
    assert decision.number == "1234/QĐ-BCA"
    awards = {line.recipient: line.award for line in proposal.lines.select_related("award")}
    assert awards[officer_person].decision == decision
    assert awards[officer_person].recipient_person == officer_person
    assert awards[division].recipient_unit == division
    assert awards[officer_person].proposal_line.proposal == proposal
    assert awards[officer_person].decision_number == "1234/QĐ-BCA"
    assert Step.objects.filter(action="decide", user=users["approver"]).exists()


def test_only_the_approver_decides_and_only_after_the_vote(client, proposal, users):
    url = reverse("admin:movement_proposal_decide", args=[proposal.pk])
    at_council(proposal, users)
    client.force_login(users["secretary"])
    assert client.post(url, DECISION).status_code == 403
    client.force_login(users["approver"])
    response = client.post(url, DECISION)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    proposal.refresh_from_db()
    assert proposal.state == State.AT_COUNCIL
    assert proposal.decision is None


def test_a_decision_on_no_passed_line_is_refused_and_leaves_nothing(client, proposal, users):
    voted(proposal, users, votes_for=2)
    client.force_login(users["approver"])
    response = client.post(reverse("admin:movement_proposal_decide", args=[proposal.pk]), DECISION)
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.state == State.AT_COUNCIL
    assert not Step.objects.filter(action="decide").exists()
    from movement.models import Decision

    assert not Decision.objects.exists()


# -- Pages and what they cost -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "officer", "secretary", "approver", "viewer"])
def test_the_proposal_page_opens_for_every_role_that_may_see_it(client, proposal, users, role):
    client.force_login(users[role])
    response = client.get(page_url(proposal))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trần Thị Lan" in page
    # The send button is the editor's alone.
    assert (step_url(proposal, "send") in page) == (role == "editor")


def test_each_line_shows_who_is_proposed_for_what_and_what_the_rules_say(client, proposal, users):
    # The row's labels are made by the view: a person with their rank, a collective, the type
    # with its class, the achievement's lines, and no verdict where no rule judges.
    rank = Rank.objects.get(name="Thiếu tá")
    Person.objects.filter(full_name="Trần Thị Lan").update(rank=rank)
    ProposalLine.objects.filter(person__isnull=False).update(achievement="Phá án\nBắt 3 đối tượng")
    # And a line the rules find eligible: the year rated well enough for Chiến sĩ tiên tiến.
    advanced = AwardType.objects.create(
        name="Chiến sĩ tiên tiến", category=AwardType.Category.TITLE, for_individuals=True
    )
    person = Person.objects.get(full_name="Trần Thị Lan")
    PersonRating.objects.create(person=person, year=2017, rating=Rating.GOOD)
    ProposalLine.objects.create(proposal=proposal, person=person, award_type=advanced)
    client.force_login(users["officer"])
    page = client.get(page_url(proposal)).content.decode()
    assert "<td>Thiếu tá Trần Thị Lan, Thiếu tá</td>" in page
    assert "<td>Huân chương Bảo vệ Tổ quốc hạng Ba</td>" in page
    assert "<td>Phá án<br>Bắt 3 đối tượng</td>" in page
    assert "<td>tập thể: Phòng Tham mưu</td>" in page
    assert page.count('<span class="eligibility unknown">Chưa có quy tắc xét</span>') == 2
    assert page.count('<span class="eligibility met">Đủ điều kiện</span>') == 1


def grassroots_type():
    from movement.models import AwardType

    return AwardType.objects.create(
        name="Chiến sĩ thi đua cơ sở", category=AwardType.Category.TITLE, for_individuals=True
    )


def large_proposal(unit: Unit, lines: int) -> Proposal:
    """A proposal of ``lines`` officers for the grassroots title, which has a rule to check."""
    award_type = grassroots_type()
    proposal = Proposal.objects.create(unit=unit, year=2020, title=f"Đề nghị {lines} dòng")
    people = Person.objects.bulk_create(
        Person(full_name=f"Cán bộ {number}", slug=f"can-bo-{lines}-{number}", unit=unit)
        for number in range(lines)
    )
    ProposalLine.objects.bulk_create(
        ProposalLine(proposal=proposal, person=person, award_type=award_type, achievement="…")
        for person in people
    )
    return proposal


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Pinned: the session, the user and their permissions (two), the unit editor's units (their
# profile, its unit, the subtree), the proposal, its meeting, its lines with their people and
# awards, their award types (once each, not once per line), the people's facts for the rules
# (StoredFacts: five, with the ratings), its documents, its log (the to-do count is fetched by the
# header's script).
PROPOSAL_PAGE_QUERIES = 18


def test_a_500_line_proposal_costs_the_queries_of_a_5_line_one(client, division, users):
    small = large_proposal(division, 5)
    client.force_login(users["editor"])
    few = queries(client, page_url(small))
    Proposal.objects.all().delete()
    AwardType.objects.filter(name="Chiến sĩ thi đua cơ sở").delete()
    large = large_proposal(division, 500)
    many = queries(client, page_url(large))
    assert few == many == PROPOSAL_PAGE_QUERIES
    # Every line is judged by the rule, and says why not.
    page = client.get(page_url(large)).content.decode()
    assert page.count("thiếu Chiến sĩ tiên tiến năm 2020") == 500
    assert page.count('<span class="eligibility unmet">Không đủ điều kiện</span>') == 500


# The session, the user and their permissions, the unit editor's units, the page's count and its
# rows (their lines counted in the same query), the year filter: none per row (the header's
# to-do count is fetched apart).
PROPOSAL_LIST_QUERIES = 11


def test_the_proposal_list_costs_the_same_for_3_proposals_or_30(client, division, users):
    for number in range(3):
        large_proposal(division, 2) if number == 0 else Proposal.objects.create(
            unit=division, year=2020, title=f"Đề nghị {number}"
        )
    client.force_login(users["editor"])
    url = reverse("admin:movement_proposal_changelist")
    few = queries(client, url)
    Proposal.objects.bulk_create(
        Proposal(unit=division, year=2020, title=f"Thêm {number}") for number in range(27)
    )
    assert queries(client, url) == few == PROPOSAL_LIST_QUERIES


def test_the_todo_page_lists_what_waits_for_each_role(client, proposal, users, division):
    returned = Proposal.objects.create(unit=division, year=2017, title="Bị trả lại")
    Proposal.objects.filter(pk=returned.pk).update(state=State.RETURNED)
    sent = Proposal.objects.create(unit=division, year=2017, title="Đã gửi lên")
    Proposal.objects.filter(pk=sent.pk).update(state=State.SENT)
    url = reverse("admin:movement_proposal_todo")
    expected = {
        "editor": {"Bị trả lại", proposal.title},
        "officer": {"Đã gửi lên"},
        "secretary": set(),
        "stranger": set(),
    }
    for role, titles in expected.items():
        client.force_login(users[role])
        response = client.get(url)
        listed = {p.title for _label, group in response.context["groups"] for p in group}
        assert listed == titles, role
        # The header's figure, which its script asks for once the page is drawn.
        count = client.get(reverse("admin:movement_proposal_todo_count"))
        assert count.json() == {"count": len(titles)}, role
        assert "no-store" in count["Cache-Control"]


# -- Registrations ------------------------------------------------------------------------------


def registrations_file(*rows: tuple) -> bytes:
    from tests.spreadsheets import dict_csv

    return dict_csv(
        *[
            {"Đơn vị": unit, "Năm": year, "Họ và tên": name, "Danh hiệu đăng ký": title}
            for unit, year, name, title in rows
        ]
    )


def test_a_units_registrations_are_imported_by_name_all_or_none(
    division, officer_person, flag_type, users
):
    from movement.models import Registration
    from movement.spreadsheets.imports import import_file
    from movement.spreadsheets.resources import RegistrationResource

    grassroots = grassroots_type()
    data = registrations_file(
        ("Phòng Tham mưu", 2017, "", flag_type.name),
        ("Phòng Tham mưu", 2017, "Trần Thị Lan", grassroots.name),
    )
    report = import_file(RegistrationResource(), data, dry_run=True, user=users["editor"])
    assert not report.problems and not Registration.objects.exists()  # a preview writes nothing
    report = import_file(RegistrationResource(), data, dry_run=False, user=users["editor"])
    assert report.written and report.new == 2, report.problems
    again = import_file(RegistrationResource(), data, dry_run=False, user=users["editor"])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    # A name typed with other tone marks is not the officer: the whole file is refused.
    Registration.objects.all().delete()
    report = import_file(
        RegistrationResource(),
        registrations_file(
            ("Phòng Tham mưu", 2018, "", flag_type.name),
            ("Phòng Tham mưu", 2018, "Trần Thị Làn", grassroots.name),
        ),
        dry_run=False,
        user=users["editor"],
    )
    assert not report.written and [problem.row for problem in report.problems] == [3]
    assert not Registration.objects.exists()


def test_another_units_registration_in_the_file_refuses_it_whole(other_unit, flag_type, users):
    from movement.models import Registration
    from movement.spreadsheets.imports import import_file
    from movement.spreadsheets.resources import RegistrationResource

    report = import_file(
        RegistrationResource(),
        registrations_file(
            ("Phòng Tham mưu", 2017, "", flag_type.name),
            (other_unit.name, 2017, "", flag_type.name),
        ),
        dry_run=False,
        user=users["editor"],
    )
    assert not report.written and [problem.row for problem in report.problems] == [3]
    assert not Registration.objects.exists()


def test_registrations_close_on_the_years_deadline(division, flag_type, english):
    from django.core.exceptions import ValidationError

    from movement.models import Registration, RegistrationPeriod

    RegistrationPeriod.objects.create(year=2017, closes_on=datetime.date(2017, 3, 31))
    late = Registration(unit=division, year=2017, award_type=flag_type)
    with pytest.raises(ValidationError, match="closed on 31/03/2017"):
        late.full_clean()
    Registration(unit=division, year=2018, award_type=flag_type).full_clean()


def test_a_registration_names_an_officer_of_its_unit_for_an_individual_title(
    division, department, person, flag_type, english
):
    from django.core.exceptions import ValidationError

    from movement.models import Registration

    with pytest.raises(ValidationError, match="not of the registering unit"):
        Registration(
            unit=division, year=2017, person=person, award_type=grassroots_type()
        ).full_clean()
    with pytest.raises(ValidationError, match="not given to individuals"):
        Registration(unit=department, year=2017, person=person, award_type=flag_type).full_clean()


def test_each_level_sees_its_subtree_registrations_counted(
    client, department, division, other_unit, officer_person, flag_type, users
):
    from movement.models import Registration

    grassroots = grassroots_type()
    Registration.objects.create(unit=division, year=2017, award_type=flag_type)
    Registration.objects.create(
        unit=division, year=2017, person=officer_person, award_type=grassroots
    )
    Registration.objects.create(unit=other_unit, year=2017, award_type=flag_type)
    url = reverse("admin:movement_registration_summary") + "?year=2017"
    client.force_login(users["editor"])
    response = client.get(url)
    titles = {row["award_type__name"]: row for row in response.context["per_title"]}
    assert titles[flag_type.name]["collectives"] == 1  # not the other unit's
    assert titles[grassroots.name]["individuals"] == 1
    client.force_login(users["officer"])
    response = client.get(url)
    titles = {row["award_type__name"]: row for row in response.context["per_title"]}
    assert titles[flag_type.name]["collectives"] == 2
    assert [row["unit__name"] for row in response.context["per_unit"]] == sorted(
        [division.name, other_unit.name]
    )


def test_a_unit_editor_who_also_reads_everything_sends_only_their_own(proposal, other_unit, users):
    # Seeing every proposal (the viewers' group too) is not sending them: the bound still holds.
    editor = users["stranger"]
    editor.groups.add(Group.objects.get(name="Xem"))
    editor = User.objects.get(pk=editor.pk)
    assert Proposal.objects.visible_to(editor).filter(pk=proposal.pk).exists()
    assert available(proposal, editor) == []
    with pytest.raises(Refused):
        perform(proposal, "send", editor)


def test_a_reviewer_who_may_not_see_a_proposal_does_not_move_it(proposal, users, english):
    # A role made by hand with the reviewing permission but not the sight of every unit's
    # proposals, and no unit: it sees none, so it moves none.
    from django.contrib.auth.models import Permission

    reviewer = User.objects.create_user("reviewer", password="x", is_staff=True)
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_proposal", "review_proposal"])
    )
    perform(proposal, "send", users["editor"])
    with pytest.raises(Refused, match="not of your units"):
        perform(proposal, "receive", reviewer)


def test_the_decision_waits_for_the_vote_and_says_so(proposal, users, english):
    at_council(proposal, users)
    with pytest.raises(Refused, match="vote is not recorded"):
        perform(proposal, "decide", users["approver"])


def test_a_collectives_line_is_judged_by_the_rule_for_units(client, division, department, users):
    advanced_unit = AwardType.objects.create(
        name="Đơn vị tiên tiến", category=AwardType.Category.TITLE, for_collectives=True
    )
    proposal = Proposal.objects.create(unit=department, year=2020, title="Đề nghị tập thể")
    ProposalLine.objects.create(proposal=proposal, collective=division, award_type=advanced_unit)
    client.force_login(users["officer"])
    few = queries(client, page_url(proposal))
    page = client.get(page_url(proposal)).content.decode()
    assert "chưa có xếp loại năm 2020" in page
    # More collectives cost no more queries: their facts are read together.
    for number in range(10):
        unit = Unit.objects.create(
            name=f"Đội {number}", slug=f"doi-{number}", kind=Unit.Kind.DIVISION, parent=department
        )
        ProposalLine.objects.create(proposal=proposal, collective=unit, award_type=advanced_unit)
    assert queries(client, page_url(proposal)) == few
    page = client.get(page_url(proposal)).content.decode()
    assert page.count("chưa có xếp loại năm 2020") == 11


# A proposal's lines read their people's records only in the years their rules look at (a
# whole record where a rule looks for an award given once in a life): what each line says is what
# the person's own verdict, which reads the whole record, says.
CO_SO = ("Chiến sĩ thi đua cơ sở", "")
TIEN_TIEN = ("Chiến sĩ tiên tiến", "")
BO_2003 = ("Chiến sĩ thi đua cấp bộ, ngành, tỉnh, đoàn thể trung ương", "")
KNC = ("Kỷ niệm chương “Bảo vệ an ninh Tổ quốc”", "")


def a_long_record(person: Person, revoking: Decision) -> None:
    """Titles, reviews, initiatives and bars from 2005 to 2021, one title revoked."""
    titles = {key: AwardType.objects.get(name=key[0], award_class=key[1]) for key in [CO_SO, KNC]}
    for year in [2010, 2017, 2018, 2019, 2020]:
        Award.objects.create(award_type=titles[CO_SO], year=year, recipient_person=person)
    Award.objects.get(year=2019, recipient_person=person).revoke(revoking, "Khai man thành tích")
    Award.objects.create(award_type=titles[KNC], year=2012, recipient_person=person)
    for year, rating in [(2005, Rating.EXCELLENT), (2019, Rating.EXCELLENT), (2021, Rating.GOOD)]:
        PersonRating.objects.create(person=person, year=year, rating=rating)
    for year in [2010, 2018]:
        Initiative.objects.create(
            person=person, title="Sáng kiến", level=Initiative.Level.PROVINCIAL, year=year
        )
    # Long over, and ongoing since before the years judged.
    Discipline.objects.create(
        person=person,
        form=Discipline.Form.REPRIMAND,
        since=datetime.date(2006, 1, 1),
        until=datetime.date(2006, 6, 1),
    )
    Inspection.objects.create(person=person, since=datetime.date(2011, 3, 1))


@pytest.mark.parametrize(
    "keys", [[CO_SO, TIEN_TIEN, BO_2003], [CO_SO, KNC]], ids=["some-years", "a-whole-life"]
)
def test_a_line_says_what_the_persons_own_verdict_says(division, keys):
    call_command("load_law", stdout=io.StringIO())
    revoking = Decision.objects.create(number="88/QĐ-BCA", date=datetime.date(2021, 3, 1))
    proposal = Proposal.objects.create(unit=division, year=2020, title="Đề nghị 2020")
    for number, key in enumerate(keys):
        person = Person.objects.create(
            full_name=f"Cán bộ {number}",
            slug=f"can-bo-{number}",
            unit=division,
            entered_service_on=datetime.date(2000, 1, 1),
        )
        a_long_record(person, revoking)
        ProposalLine.objects.create(
            proposal=proposal,
            person=person,
            award_type=AwardType.objects.get(name=key[0], award_class=key[1]),
        )
    lines = list(proposal.lines.select_related("person", "award_type__legal_source"))
    for line, check in zip(lines, line_checks(lines, 2020), strict=True):
        own = verdict(line.person, line.award_type, 2020)
        assert check.eligible == own.eligible
        assert [str(reason) for reason in check.reasons] == [str(r) for r in own.reasons]
        assert own.unmet  # each line is refused, for reasons read in the years that count


def test_every_admin_page_links_the_todo_list_without_counting_it(client, users):
    client.force_login(users["editor"])
    with CaptureQueriesContext(connection) as captured:
        header = client.get(reverse("admin:index")).content.decode()
    assert 'class="todo-link"' in header and "js/todo_count.js" in header
    assert reverse("admin:movement_proposal_todo_count") in header
    assert not any("movement_proposal" in query["sql"] for query in captured.captured_queries)
    # Only signed-in staff are told.
    client.logout()
    assert client.get(reverse("admin:movement_proposal_todo_count")).status_code == 302


def test_at_the_council_the_vote_waits_for_the_secretary_then_the_decision_for_the_approver(
    client, proposal, users
):
    Proposal.objects.filter(pk=proposal.pk).update(state=State.AT_COUNCIL)

    def waiting(role: str) -> set[str]:
        return {p.title for p in Proposal.objects.waiting_for(users[role])}

    assert (waiting("secretary"), waiting("approver")) == ({proposal.title}, set())
    CouncilMeeting.objects.create(
        proposal=proposal, held_on=datetime.date(2017, 12, 15), members=5, present=5
    )
    assert (waiting("secretary"), waiting("approver")) == (set(), {proposal.title})


@pytest.mark.parametrize("lines_of", ["two proposals", "a proposal being drafted"])
def test_lines_not_of_one_stored_proposal_are_checked_on_their_own_people(division, lines_of):
    # Stored lines' people are read through a subquery of their lines, unsaved ones' by id.
    call_command("load_law", stdout=io.StringIO())
    revoking = Decision.objects.create(number="88/QĐ-BCA", date=datetime.date(2021, 3, 1))
    proposals = [
        Proposal.objects.create(unit=division, year=2020, title=f"Đề nghị 2020 ({number})")
        for number in range(2)
    ]
    lines = []
    for number, key in enumerate([CO_SO, TIEN_TIEN, BO_2003]):
        person = Person.objects.create(
            full_name=f"Cán bộ {number}",
            slug=f"can-bo-{number}",
            unit=division,
            entered_service_on=datetime.date(2000, 1, 1),
        )
        a_long_record(person, revoking)
        line = ProposalLine(
            proposal=proposals[number % 2 if lines_of == "two proposals" else 0],
            person=person,
            award_type=AwardType.objects.get(name=key[0], award_class=key[1]),
        )
        if lines_of == "two proposals":
            line.save()
        lines.append(line)
    for line, check in zip(lines, line_checks(lines, 2020), strict=True):
        own = verdict(line.person, line.award_type, 2020)
        assert [str(reason) for reason in check.reasons] == [str(r) for r in own.reasons]
        assert own.reasons
