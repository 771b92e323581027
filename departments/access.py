"""Who may see and change what. Every page, export and import starts here.

- A department member (editor or viewer) sees the forms of the departments they belong to;
  editors change them while they are drafts or returned.
- A 主管部门 reviewer (a supervisor membership on a department) sees and reviews the forms of
  that department's 二级单位 (its children) while they are at the 主管部门 stage.
- A finance reviewer sees the forms of every department their finance bureau oversees, and
  reviews them once they reach the bureau.
- Nobody decides on a form of a department they edit, at any level.
- A superuser (administrator) sees everything and may reopen approved forms.

Anything outside a user's scope answers 404, so that ids of other departments' forms reveal
nothing; a visible form the user may not change answers 403.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Value
from django.shortcuts import get_object_or_404

from departments.models import BureauMembership, Department, FinanceBureau, Membership
from evaluations.models import Evaluation, Notification, Project, Year
from reports.models import Report


def is_admin(user):
    return user.is_active and user.is_superuser


def visible_departments(user):
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    member_of = member_departments(user).values("pk")
    reviewed = Department.objects.filter(bureau__memberships__user=user).values("pk")
    supervised = _supervised(user).values("pk")
    return Department.objects.filter(
        Q(pk__in=member_of) | Q(pk__in=reviewed) | Q(pk__in=supervised)
    )


def member_departments(user):
    """Departments whose forms this user fills or reads (an editor's or viewer's)."""
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    return Department.objects.filter(
        memberships__user=user,
        memberships__role__in=[Membership.Role.EDITOR, Membership.Role.VIEWER],
    )


def editable_departments(user):
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    return Department.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.EDITOR
    )


def reviewed_departments(user):
    """Departments whose forms this user reviews (through their finance bureaus).

    A reviewer who is also an editor of an overseen department keeps that department's forms on
    the department side only, so that filling a form and deciding on it stay with two people.
    """
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    return Department.objects.filter(bureau__memberships__user=user).exclude(
        pk__in=editable_departments(user).values("pk")
    )


def _supervised(user):
    return Department.objects.filter(
        parent__memberships__user=user, parent__memberships__role=Membership.Role.SUPERVISOR
    )


def supervised_departments(user):
    """二级单位 whose forms this user reviews as their 主管部门's reviewer, except those the user
    edits."""
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    return _supervised(user).exclude(pk__in=editable_departments(user).values("pk"))


def review_departments(user):
    """Departments whose forms this user reviews at some level (主管部门 or finance)."""
    return Department.objects.filter(
        Q(pk__in=reviewed_departments(user).values("pk"))
        | Q(pk__in=supervised_departments(user).values("pk"))
    )


def supervisors_of(department_id):
    """The active users who review this department's forms as its 主管部门: the same rule as
    supervised_departments, seen from the department."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=Membership.Role.SUPERVISOR,
            memberships__department__children=department_id,
        )
        .exclude(pk__in=editors_of(department_id).values("pk"))
    )


def reviewed_bureaus(user):
    """The finance bureaus this user reviews for: their oversight pages (samples, results)."""
    if not user.is_authenticated or not user.is_active:
        return FinanceBureau.objects.none()
    return FinanceBureau.objects.filter(memberships__user=user)


def bureau_departments(user):
    """Every department of the bureaus this user reviews for, those it also edits included:
    what the bureau's oversight pages and its publication package cover."""
    return Department.objects.filter(bureau__in=reviewed_bureaus(user).values("pk"))


def reviews_bureau(user, bureau):
    """Whether the user is a finance reviewer of this bureau."""
    return reviewed_bureaus(user).filter(pk=bureau.pk).exists()


def has_role(user, role, subject):
    """Whether the user has this role (evaluations/steps.py) towards the department of a form
    or of anything else under review (evaluations/subjects.py)."""
    department_id = subject.department_id

    if role == "editor":
        return can_edit_department(user, department_id)
    if role == "supervisor":
        return supervised_departments(user).filter(pk=department_id).exists()
    if role == "finance":
        return reviewed_departments(user).filter(pk=department_id).exists()
    if role == "admin":
        return is_admin(user)
    raise ValueError(f"unknown role {role!r}")


def editors_of(department_id):
    """The active users who edit this department's forms."""
    return get_user_model().objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            department=department_id, role=Membership.Role.EDITOR
        ).values("user"),
    )


def reviewers_of(department_id):
    """The active users who review this department's forms: the same rule as
    reviewed_departments, seen from the department."""
    return (
        get_user_model()
        .objects.filter(is_active=True, bureau_memberships__bureau__departments=department_id)
        .exclude(pk__in=editors_of(department_id).values("pk"))
    )


@dataclass(frozen=True)
class Roles:
    """What a user is, in one query: (department id, role, department code) of each membership
    and (bureau id, bureau code) of each finance bureau they review for."""

    departments: tuple
    bureaus: tuple

    def has(self, *roles, department_id=None):
        return any(
            role in roles and department_id in (None, department)
            for department, role, _code in self.departments
        )


def roles_of(user):
    """The user's roles, read once per request's user: the view, its menu, its buttons and the
    request's log line all ask."""
    if not user.is_authenticated or not user.is_active:
        return Roles((), ())
    # getattr, not the instance's __dict__: request.user is a lazy object in front of the user.
    roles = getattr(user, "_roles", None)
    if roles is None:
        rows = (
            Membership.objects.filter(user=user)
            .values_list("department_id", "role", "department__code")
            .union(
                BureauMembership.objects.filter(user=user).values_list(
                    "bureau_id", Value(""), "bureau__code"
                ),
                all=True,
            )
        )
        departments, bureaus = [], []
        for pk, role, code in rows:
            if role:
                departments.append((pk, role, code))
            else:
                bureaus.append((pk, code))
        user._roles = roles = Roles(tuple(departments), tuple(bureaus))
    return roles


def is_member(user):
    return roles_of(user).has(Membership.Role.EDITOR, Membership.Role.VIEWER)


def is_reviewer(user):
    roles = roles_of(user)
    return bool(roles.bureaus) or roles.has(Membership.Role.SUPERVISOR)


def visible_evaluations(user):
    return Evaluation.objects.filter(
        project__department__in=visible_departments(user).values("pk")
    ).select_related("project__department", "year")


def reviewable_evaluations(user):
    """Forms this user reviews at some level."""
    # Through the projects' ids rather than a join on the projects: counting a year's forms by
    # state then reads two indexes (the forms' year, state and project, the projects' department
    # and id) instead of both tables.
    projects = Project.objects.filter(department__in=review_departments(user).values("pk"))
    return Evaluation.objects.filter(project__in=projects.values("pk")).select_related(
        "project__department", "year"
    )


def evaluation_for_viewing(user, pk):
    return get_object_or_404(visible_evaluations(user), pk=pk)


def evaluation_for_editing(user, pk):
    """The form if this user may edit its content; 404 outside their scope, 403 otherwise.

    The state is not checked here: a submitted form belongs to the department's editors all the
    same, and the edit page explains why it is read-only now.
    """
    # An editor of the form's department sees it, so that asking that first spares an editor
    # the query of every form they see (three subqueries to build, on every edit and save).
    # The year's edition is the form's, unless its bureau has settings of its own.
    evaluation = (
        Evaluation.objects.select_related("project__department", "year__edition")
        .filter(pk=pk)
        .first()
    )
    if evaluation is not None and can_edit_department(user, evaluation.project.department_id):
        return evaluation
    evaluation_for_viewing(user, pk)
    raise PermissionDenied


def evaluation_for_review(user, pk):
    """The form if this user reviews it at some level; which step they may take now is the
    workflow's to say."""
    evaluation = evaluation_for_viewing(user, pk)
    if not (can_review(user, evaluation) or has_role(user, "supervisor", evaluation)):
        raise PermissionDenied
    return evaluation


def evaluation_for_reopening(user, pk):
    evaluation = evaluation_for_viewing(user, pk)
    if not can_reopen(user, evaluation):
        raise PermissionDenied
    return evaluation


def report_for_viewing(user, department_id, year):
    """(department, year, its report or None) for a user who sees the department's forms: its
    members, its 主管部门's reviewers, its finance bureau's reviewers; 404 for anyone else."""
    department = get_object_or_404(visible_departments(user), pk=department_id)
    year = get_object_or_404(Year, year=year)
    return department, year, Report.objects.filter(department=department, year=year).first()


def report_for_editing(user, department_id, year):
    """The same for an editor of the department; 403 for another who sees it. The state is not
    checked here, as for a form."""
    department, year, report = report_for_viewing(user, department_id, year)
    if not can_edit_department(user, department.pk):
        raise PermissionDenied
    return department, year, report


def visible_reports(user):
    return Report.objects.filter(
        department__in=visible_departments(user).values("pk")
    ).select_related("department", "year")


def can_edit_report(user, report):
    return report.is_editable_state and can_edit_department(user, report.department_id)


def notifications_for(user):
    """The user's own notifications, about forms and reports they can still see."""
    visible = visible_departments(user).values("pk")
    return Notification.objects.filter(
        Q(transition__evaluation__project__department__in=visible)
        | Q(transition__report__department__in=visible),
        recipient=user,
    )


def can_edit_department(user, department_id):
    return roles_of(user).has(Membership.Role.EDITOR, department_id=department_id)


def can_edit(user, evaluation):
    return evaluation.is_editable_state and can_edit_department(
        user, evaluation.project.department_id
    )


def can_review(user, evaluation):
    return reviewed_departments(user).filter(pk=evaluation.project.department_id).exists()


def can_submit(user, evaluation):
    """Who submits and withdraws: the editors of the form's department (the state is the
    workflow's business)."""
    return can_edit_department(user, evaluation.project.department_id)


def can_reopen(user, evaluation):
    return is_admin(user)


# The review of department reports: the same roles towards the report's department as for its
# forms (has_role), so the same people review both at each level.


def _report(user, department_id, year):
    # A report nobody has started yet has nothing to take a step on: 404 as well.
    return get_object_or_404(visible_reports(user), department=department_id, year=year)


def report_for_review(user, department_id, year):
    """The department's report of the year if this user reviews it at some level (404 outside
    their scope, 403 for a member of the department); which step they may take now is the
    workflow's to say."""
    report = _report(user, department_id, year)
    if not (has_role(user, "finance", report) or has_role(user, "supervisor", report)):
        raise PermissionDenied
    return report


def report_for_workflow(user, department_id, year):
    """The report if this user submits or withdraws it: one of its department's editors."""
    report = _report(user, department_id, year)
    if not has_role(user, "editor", report):
        raise PermissionDenied
    return report


def report_for_reopening(user, department_id, year):
    report = _report(user, department_id, year)
    if not is_admin(user):
        raise PermissionDenied
    return report


def reports_waiting(user, year):
    """The year's reports waiting for this user's decision: at the 主管部门 for the units they
    supervise, at the finance bureau for the departments they review."""
    return (
        Report.objects.filter(year=year)
        .filter(
            Q(state=Evaluation.State.SUPERVISOR, department__in=supervised_departments(user))
            | Q(state=Evaluation.State.SUBMITTED, department__in=reviewed_departments(user))
        )
        .select_related("department")
        .order_by("submitted_at", "department__name")
    )
