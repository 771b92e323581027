"""Two people acting on one form at the same moment, in two threads with their own connections.

The first to lock the row is slowed down while it holds the lock, so that the second is sure to
arrive while the first is still deciding: the second must wait, see the new state and be refused.
"""

import threading
import time

import pytest
from django.db import connection

from departments.models import BureauMembership
from evaluations import notifications, workflow
from evaluations.models import Evaluation, Transition
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def a_database_that_waits_for_locks(db):
    # SQLite's shared-cache in-memory database reports "table is locked" at once instead of
    # waiting, so the test database on SQLite is a file (config/settings.py): these run there
    # and on PostgreSQL. Only a test database configured in memory skips them.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a database that waits for locks")


def run_at_once(*calls):
    """Run the calls in threads that start together; what each returned or raised."""
    start = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        start.wait()
        try:
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def slow_announcements(monkeypatch):
    """The transition that holds the lock takes a moment before it commits."""
    announce = notifications.announce

    def slow(transition):
        time.sleep(0.3)
        announce(transition)

    monkeypatch.setattr(notifications, "announce", slow)


def test_two_reviewers_approving_at_once_make_one_transition(
    evaluation, editor, reviewer, bureau, slow_announcements
):
    colleague = make_user("colleague")
    BureauMembership.objects.create(user=colleague, bureau=bureau)
    workflow.submit(evaluation, editor)
    first = Evaluation.objects.get(pk=evaluation.pk)
    second = Evaluation.objects.get(pk=evaluation.pk)

    outcomes = run_at_once(
        lambda: workflow.approve(first, reviewer), lambda: workflow.approve(second, colleague)
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Refused", "Transition"]
    assert Transition.objects.filter(to_state="approved").count() == 1


def test_a_double_click_on_submit_makes_one_transition(evaluation, editor, slow_announcements):
    outcomes = run_at_once(
        lambda: workflow.submit(Evaluation.objects.get(pk=evaluation.pk), editor),
        lambda: workflow.submit(Evaluation.objects.get(pk=evaluation.pk), editor),
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Refused", "Transition"]
    assert Transition.objects.count() == 1


@pytest.mark.parametrize("second", ["withdraw", "return"])
def test_the_supervisor_passing_on_while_the_unit_withdraws_or_returns_makes_one_step(
    make_form, unit, unit_editor, supervisor, two_levels, slow_announcements, second
):
    form = make_form("老干部队伍建设经费", owner=unit)
    workflow.submit(form, unit_editor)
    other = {
        "withdraw": lambda: workflow.withdraw(Evaluation.objects.get(pk=form.pk), unit_editor),
        "return": lambda: workflow.return_(
            Evaluation.objects.get(pk=form.pk), supervisor, "请补充。"
        ),
    }[second]

    outcomes = run_at_once(
        lambda: workflow.pass_on(Evaluation.objects.get(pk=form.pk), supervisor), other
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Refused", "Transition"]
    assert Transition.objects.exclude(step="submit_to_supervisor").count() == 1
