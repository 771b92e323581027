"""Work waiting for someone, and the year a page opens on.

A user works at one of two desks. At the department desk (the list of forms, starting a form)
the work waiting is the forms returned to the departments the user edits; at the review desk (the
queue, the overview) it is the forms submitted to the user's bureau.

A page whose address names no year opens on the earliest year with work waiting, as the queue
puts the oldest submission first: a form returned in 2023 and due soon is never hidden behind
2024 just because a draft was started there. Without waiting work a department page opens on the
latest year, the one being filed (where last year's forms are offered to copy), and a review page
on the latest year holding forms to review, else on the latest year. The other years' waiting
work is listed on the dashboard and above the queue.
"""

import enum

from django.db.models import Count, Q

from departments import access
from evaluations import steps
from evaluations.models import Evaluation, Year

State = Evaluation.State


class Desk(enum.Enum):
    DEPARTMENT = "department"
    REVIEW = "review"


def forms(user, desk):
    """Every form the desk's pages show the user."""
    if desk is Desk.REVIEW:
        return access.reviewable_evaluations(user)
    return Evaluation.objects.filter(
        project__department__in=access.member_departments(user).values("pk")
    )


def waiting(user, desk):
    """The forms waiting for the user to act on at this desk."""
    if desk is Desk.REVIEW:
        return Evaluation.objects.filter(awaiting_review(user))
    # Viewers change nothing: returned forms wait for the department's editors only.
    return Evaluation.objects.filter(
        project__department__in=access.editable_departments(user).values("pk"),
        state=State.RETURNED,
    )


def review_scopes(user):
    """[(role, departments)]: the levels this user reviews at, lowest first, and where."""
    found = []
    for role, departments in (
        (steps.SUPERVISOR, access.supervised_departments(user)),
        (steps.FINANCE, access.reviewed_departments(user)),
    ):
        if departments.exists():
            found.append((role, departments))
    return found


def awaiting_review(user):
    """The condition of the forms waiting for this user's decision: at each level the user
    reviews, the forms in the states that level's steps leave."""
    condition = Q(pk__in=[])
    for role, departments in review_scopes(user):
        condition |= Q(
            project__department__in=departments.values("pk"),
            state__in=steps.review_states(role),
        )
    return condition


def review_state(user):
    """The state a reviewer's queue opens on: that of the lowest level they review at."""
    scopes = review_scopes(user)
    return steps.review_states(scopes[0][0])[0] if scopes else State.SUBMITTED


def default_year(user, desk):
    """The year a page of the desk opens on when the address names none (None: no year yet)."""
    found = waiting(user, desk).order_by("year_id").values_list("year_id", flat=True).first()
    if not found and desk is Desk.REVIEW:
        found = forms(user, desk).order_by("-year_id").values_list("year_id", flat=True).first()
    years = Year.objects.filter(pk=found) if found else Year.objects.order_by("-year")
    return years.first()


def elsewhere(user, desk, year):
    """The work waiting in years other than the one shown."""
    found = waiting(user, desk)
    return found.exclude(year=year) if year is not None else found


def per_year(user, desk, year):
    """[(year, number of forms)] waiting in years other than the one shown, oldest first."""
    return list(
        elsewhere(user, desk, year)
        .order_by("year_id")
        .values_list("year_id")
        .annotate(count=Count("pk"))
    )
