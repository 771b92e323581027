"""E-mails after commit and the same events on the dashboard."""

import logging
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
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
        caplog.at_level(logging.ERROR, logger="jixiao.events"),
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


def test_events_marked_read_leave_the_unread_list(client_for, evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    client = client_for(editor)
    response = client.post(reverse("notifications_read"), {"next": reverse("evaluation_list")})
    assert response["Location"] == reverse("evaluation_list")
    page = client.get(reverse("evaluation_list")).text
    assert "data-unread-events" not in page
    assert "data-read-events" in page


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


# Reading events


@pytest.fixture
def second_editor(department):
    user = make_user("second_editor")
    Membership.objects.create(user=user, department=department, role="editor")
    return user


def unread(user):
    return set(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list(
            "transition__evaluation__project__name", flat=True
        )
    )


@pytest.mark.parametrize("page", ["evaluation_detail", "evaluation_edit"])
def test_opening_a_form_marks_its_events_read_for_that_user_only(
    client_for, make_form, editor, second_editor, reviewer, page
):
    opened, other = make_form("党员教育培训经费"), make_form("老干部队伍建设经费")
    for evaluation in (opened, other):
        workflow.submit(evaluation, editor)
        workflow.return_(evaluation, reviewer, "请补充说明。")
    client_for(editor).get(reverse(page, args=[opened.pk]))
    assert unread(editor) == {"老干部队伍建设经费"}
    assert unread(second_editor) == {"党员教育培训经费", "老干部队伍建设经费"}


def test_opening_an_approved_form_marks_its_approval_read(client_for, evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    client_for(editor).get(reverse("evaluation_detail", args=[evaluation.pk]))
    assert unread(editor) == set()


def test_events_read_fold_away_below_the_unread_ones(
    client_for, make_form, editor, reviewer, department
):
    read, fresh = make_form("党员教育培训经费"), make_form("老干部队伍建设经费")
    for evaluation in (read, fresh):
        workflow.submit(evaluation, editor)
        workflow.approve(evaluation, reviewer)
    client = client_for(editor)
    client.get(reverse("evaluation_detail", args=[read.pk]))
    page = client.get(reverse("evaluation_list"), {"year": 2023}).text
    events = page[page.index('id="events"') :]
    folded = events[events.index("<details") : events.index("</details>")]
    assert "data-read-events" in folded
    assert "党员教育培训经费" in folded
    assert "老干部队伍建设经费" in events[: events.index("<details")]
    assert "老干部队伍建设经费" not in folded


def test_more_unread_events_than_the_dashboard_lists_are_counted(
    client_for, make_form, editor, reviewer, monkeypatch
):
    monkeypatch.setattr(notifications, "DASHBOARD_EVENTS", 2)
    for name in ["党员教育培训经费", "老干部队伍建设经费", "人才队伍建设经费"]:
        evaluation = make_form(name)
        workflow.submit(evaluation, editor)
        workflow.approve(evaluation, reviewer)
    page = client_for(editor).get(reverse("evaluation_list"), {"year": 2023}).text
    unread_list = page[page.index("data-unread-events") :]
    assert unread_list.count("data-event") == 2
    assert 'data-more-unread="1"' in page


# What a reopening's reason is called


@pytest.mark.parametrize(
    "where",
    ["history", "returned banner", "dashboard events", "dashboard returned", "e-mail"],
)
def test_a_reopenings_reason_is_called_reason_wherever_it_shows(
    client_for, sent, evaluation, editor, reviewer, admin_user, where
):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer, "同意。")
    if where == "e-mail":
        text = sent(workflow.reopen, evaluation, admin_user, "决算数据有更正。")[0].body
    else:
        workflow.reopen(evaluation, admin_user, "决算数据有更正。")
        page = {
            "history": reverse("evaluation_detail", args=[evaluation.pk]),
            "returned banner": reverse("evaluation_edit", args=[evaluation.pk]),
            "dashboard events": reverse("evaluation_list") + "?year=2023",
            "dashboard returned": reverse("evaluation_list") + "?year=2023",
        }[where]
        text = client_for(editor).get(page).text
        anchor = {"dashboard events": 'id="events"', "dashboard returned": "data-returned"}
        if where in anchor:
            text = text[text.index(anchor[where]) :]
    label = re.sub(r"<[^>]+>", "", text[: text.index("决算数据有更正。")]).rstrip()[-3:]
    assert label == "原因："


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "原因"), ("en", "Reason")])
def test_the_reopen_form_asks_for_a_reason(
    client_for, evaluation, editor, reviewer, admin_user, language, label
):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    client = client_for(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("evaluation_reopen", args=[evaluation.pk])).text
    assert f'<label class="form-label" for="id_reason">{label}</label>' in page
    assert "审核意见" not in page


class BrokenMailBackend(BaseEmailBackend):
    """A mail server that refuses in a way no network error covers."""

    def send_messages(self, messages):
        raise RuntimeError("the mail server answered nonsense")


def act(client_for, who, evaluation, action):
    """Post the page a person uses for `action` on `evaluation`."""
    if action == "submit":
        return client_for(who).post(reverse("evaluation_submit", args=[evaluation.pk]))
    if action == "reopen":
        return client_for(who).post(
            reverse("evaluation_reopen", args=[evaluation.pk]), {"reason": "补充材料。"}
        )
    decision = {"approve": "approve", "return": "return"}[action]
    return client_for(who).post(
        reverse("evaluation_review", args=[evaluation.pk]),
        {"decision": decision, "comment": "请补充。"},
    )


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("submit", "submitted"),
        ("return", "returned"),
        ("approve", "approved"),
        ("reopen", "returned"),
    ],
)
def test_a_failing_mail_never_turns_a_committed_action_into_an_error_page(
    settings,
    client_for,
    django_capture_on_commit_callbacks,
    caplog,
    evaluation,
    editor,
    reviewer,
    admin_user,
    action,
    state,
):
    settings.EMAIL_BACKEND = "tests.test_notifications.BrokenMailBackend"
    if action != "submit":
        workflow.submit(evaluation, editor)
    if action == "reopen":
        workflow.approve(evaluation, reviewer)
    who = {"submit": editor, "return": reviewer, "approve": reviewer, "reopen": admin_user}
    with (
        caplog.at_level(logging.ERROR, logger="jixiao.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = act(client_for, who[action], evaluation, action)
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.state == state
    failed = [record for record in caplog.records if getattr(record, "event", "") == "mail_failed"]
    assert len(failed) == 1
    assert "nonsense" in failed[0].error


@pytest.mark.parametrize(
    ("language", "shown"),
    [("zh-hans", "审核意见：请补充说明。"), ("en", "Reviewer’s comment: 请补充说明。")],
)
def test_a_comment_follows_its_label_as_the_language_writes_it(
    client_for, evaluation, editor, reviewer, language, shown
):
    workflow.submit(evaluation, editor)
    workflow.return_(evaluation, reviewer, "请补充说明。")
    client = client_for(editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for page in (
        reverse("evaluation_detail", args=[evaluation.pk]),
        reverse("evaluation_edit", args=[evaluation.pk]),
        reverse("evaluation_list") + "?year=2023",
    ):
        text = re.sub(r"<[^>]+>", "", client.get(page).text)
        assert shown in text, page
