"""E-mails after commit and the same events on the dashboard."""

import logging

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from departments import access
from departments.models import Membership
from evaluations import notifications, pins, workflow
from evaluations.models import Evaluation, Notification
from tests.conftest import make_user


@pytest.fixture
def sent(django_capture_on_commit_callbacks, mailoutbox):
    """Run a workflow call, commit, and return the e-mails it sent."""

    def run(call, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            call(*args, **kwargs)
        # mail.outbox itself: the list object the fixture handed out may have been replaced.
        return list(mail.outbox)

    return run


def test_a_submission_is_mailed_to_the_bureaus_reviewers(
    sent, evaluation, editor, reviewer, other_reviewer
):
    mails = sent(workflow.submit, evaluation, editor)
    assert [mail.to for mail in mails] == [["reviewer@example.org"]]
    assert "党员教育培训经费" in mails[0].subject
    assert reverse("evaluation_review", args=[evaluation.pk]) in mails[0].body


def test_a_submission_is_not_mailed_to_a_reviewer_who_edits_the_department(
    sent, evaluation, editor, reviewer, editing_reviewer
):
    mails = sent(workflow.submit, evaluation, editor)
    assert [mail.to for mail in mails] == [["reviewer@example.org"]]


def test_a_return_is_mailed_to_the_departments_editors_with_the_comments(
    sent, evaluation, editor, viewer, reviewer, department
):
    second = make_user("second_editor")
    Membership.objects.create(user=second, department=department, role="editor")
    workflow.submit(evaluation, editor)
    row = pins.targets(evaluation)[-1]
    mails = sent(
        workflow.return_, evaluation, reviewer, "请补充说明。", [workflow.Pin(row, "写明满意度")]
    )
    assert sorted(mail.to[0] for mail in mails) == [
        "editor@example.org",
        "second_editor@example.org",
    ]
    assert "请补充说明。" in mails[0].body
    assert "写明满意度" in mails[0].body
    assert reverse("evaluation_edit", args=[evaluation.pk]) in mails[0].body


def test_an_approval_is_mailed_to_the_departments_editors(sent, evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    mails = sent(workflow.approve, evaluation, reviewer)
    assert [mail.to for mail in mails] == [["editor@example.org"]]


def test_nothing_is_mailed_for_a_change_that_did_not_happen(
    django_capture_on_commit_callbacks, mailoutbox, evaluation, editor, reviewer
):
    class Undone(Exception):
        pass

    def return_then_fail():
        # The return is made and announced, then the request fails: its transaction rolls back.
        with transaction.atomic():
            workflow.return_(evaluation, reviewer, "请补充说明。")
            raise Undone

    workflow.submit(evaluation, editor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Undone):
        return_then_fail()
    assert list(mail.outbox) == []
    assert not Notification.objects.exists()
    assert Evaluation.objects.get(pk=evaluation.pk).state == "submitted"


def test_nothing_is_mailed_for_a_submission_the_checks_refuse(
    django_capture_on_commit_callbacks, mailoutbox, evaluation, editor, reviewer
):
    evaluation.goal = ""
    evaluation.save()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.NotReady):
        workflow.submit(evaluation, editor)
    assert list(mail.outbox) == []


@pytest.mark.parametrize(
    ("language", "returned_label", "reason_label"),
    [
        ("zh-hans", "审核意见：请补充说明。", "原因：决算数据有更正。"),
        ("en", "Reviewer’s comment: 请补充说明。", "Reason: 决算数据有更正。"),
    ],
)
def test_a_mail_labels_a_reviewers_comment_and_a_reason_for_reopening_in_the_mail_language(
    sent, settings, evaluation, editor, reviewer, admin_user, language, returned_label, reason_label
):
    settings.LANGUAGE_CODE = language
    workflow.submit(evaluation, editor)
    returned = sent(workflow.return_, evaluation, reviewer, "请补充说明。")
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    reopened = sent(workflow.reopen, evaluation, admin_user, "决算数据有更正。")
    assert returned_label in returned[0].body
    assert reason_label in reopened[0].body


def test_users_without_an_address_still_see_the_event(sent, evaluation, editor, reviewer):
    editor.email = ""
    editor.save()
    workflow.submit(evaluation, editor)
    assert sent(workflow.approve, evaluation, reviewer) == []
    assert Notification.objects.filter(recipient=editor).count() == 1


def test_a_mail_server_that_is_down_does_not_undo_the_transition(
    django_capture_on_commit_callbacks, evaluation, editor, reviewer, monkeypatch, caplog
):
    class Down:
        def send_messages(self, messages):
            raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "get_connection", Down)
    with (
        caplog.at_level(logging.ERROR, logger="evaluations.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.submit(evaluation, editor)
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted"
    assert "mail_failed" in caplog.text


def test_the_dashboard_shows_the_events_to_the_editor(client_for, evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    workflow.return_(evaluation, reviewer, "请补充说明。")
    page = client_for(editor).get(reverse("evaluation_list") + "?year=2023").text
    events = page[page.index('id="events"') :]
    assert "党员教育培训经费" in events
    assert "请补充说明。" in events


def test_events_once_read_leave_the_dashboard(client_for, evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    client = client_for(editor)
    response = client.post(reverse("notifications_read"), {"next": reverse("evaluation_list")})
    assert response["Location"] == reverse("evaluation_list")
    assert 'id="events"' not in client.get(reverse("evaluation_list")).text


def test_marking_read_does_not_send_anyone_elsewhere(client_for, editor):
    response = client_for(editor).post(
        reverse("notifications_read"), {"next": "https://example.com/"}
    )
    assert response["Location"] == reverse("home")


def test_reviewers_get_no_dashboard_copy_their_queue_shows_the_submission(
    client_for, evaluation, editor, reviewer
):
    workflow.submit(evaluation, editor)
    assert not Notification.objects.filter(recipient=reviewer).exists()
    page = client_for(reviewer).get(reverse("review_queue")).text
    assert reverse("evaluation_review", args=[evaluation.pk]) in page


def test_events_about_forms_no_longer_visible_are_not_shown(
    evaluation, editor, reviewer, department
):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    Membership.objects.filter(user=editor, department=department).delete()
    assert not access.notifications_for(editor).exists()
