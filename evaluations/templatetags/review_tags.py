"""The review conversation's parts of the pages other views draw: the edit page's checks and
pinned comments, the form page's actions and history, the department dashboard, the nav."""

from dataclasses import dataclass

from django import template
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from departments import access
from evaluations import (
    checks,
    deadlines,
    notifications,
    pins,
    steps,
    subjects,
    waiting,
    workflow,
)
from evaluations.models import Evaluation, PinnedComment, Transition
from evaluations.templatetags.evaluation_tags import amount, percent
from evaluations.waiting import Desk

register = template.Library()
State = Evaluation.State


@register.filter
def result_count(line, result):
    """How many of a 结果通报 line's sampled forms got this re-review result."""
    return line.value(result)


@register.filter
def event_path(transition):
    # The dashboard's events are the department's editors'.
    return notifications.path(transition, for_editors=True)


@register.filter
def reviews_forms(user):
    return access.is_reviewer(user)


@register.filter
def reviews_for_a_bureau(user):
    """A finance reviewer: the bureau's oversight pages are theirs."""
    return access.reviewed_bureaus(user).exists()


@register.filter
def fills_forms(user):
    return access.is_member(user)


@register.simple_tag
def options(choices):
    """<option>s of (value, label, selected): a tag, not a loop, for a bureau's hundreds of
    departments."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if selected else "", label) for value, label, selected in choices),
    )


@register.simple_tag
def queue_row(evaluation, overdue):
    """One row of the review queue. A tag rather than markup with filters and includes: those
    were most of the page's rendering time."""
    department = evaluation.project.department
    submitted = evaluation.submitted_at
    flags = evaluation.flag_count
    return format_html(
        '<tr data-evaluation="{}"><td><a href="{}">{}</a></td><td>{}{}</td>'
        '<td><span class="badge state-{}">{}</span></td><td>{}{}</td>'
        '<td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td></tr>',
        evaluation.pk,
        reverse("evaluation_review", args=[evaluation.pk]),
        evaluation.project.name,
        department.name,
        format_html(' <span class="badge text-bg-danger" data-overdue>{}</span>', _("Overdue"))
        if department.pk in overdue
        else "",
        evaluation.state,
        evaluation.get_state_display(),
        timezone.localtime(submitted).strftime("%Y-%m-%d %H:%M") if submitted else "—",
        format_html(
            '<div class="small text-body-secondary" data-passed>{}</div>',
            _("主管部门 passed it on %(when)s")
            % {"when": timezone.localtime(evaluation.passed_at).strftime("%Y-%m-%d %H:%M")},
        )
        if evaluation.passed_at
        else "",
        amount(evaluation.budget_total) or "—",
        percent(evaluation.execution_rate) or "—",
        format_html('<span class="badge text-bg-warning">{}</span>', flags)
        if flags
        else ("—" if flags is None else "0"),
    )


@dataclass
class EditNotes:
    problems: list
    flags: list
    returned: object
    can_submit: bool
    pins: dict
    # [(id of the comment beside its place, or None once the row is gone, comment)]
    comments: list


@register.simple_tag(takes_context=True)
def review_notes(context, evaluation):
    """What the edit page shows of the review: the checks before submitting, the return being
    answered and its pinned comments."""
    result = checks.run(evaluation)
    returned = pins.open_return(evaluation)
    return EditNotes(
        problems=result.problems,
        flags=result.flags,
        returned=returned,
        can_submit=evaluation.is_editable_state
        and access.can_submit(context["request"].user, evaluation),
        pins={pins.key_of(pin): pin for pin in returned.pins.all()} if returned else {},
        comments=[(_pinned_id(pin), pin) for pin in returned.pins.all()] if returned else [],
    )


def _pinned_id(target):
    """The id of the comment shown beside this place (a pin or what it is pinned to)."""
    row_gone = (
        isinstance(target, PinnedComment)
        and target.place == PinnedComment.Place.INDICATOR
        and target.indicator_id is None
    )
    return None if row_gone else f"pinned-{pins.key_of(target)}"


@register.simple_tag
def pinned(notes, target):
    """The reviewer's comment beside a fund row, the goals or an indicator row, if any.

    A tag rather than an include: the edit page has hundreds of rows.
    """
    pin = notes.pins.get(pins.key_of(target)) if isinstance(notes, EditNotes) else None
    if pin is None:
        return ""
    return format_html(
        '<div class="pinned-comment alert alert-warning small py-1 px-2 my-1" id="{}" role="note">'
        '<span class="fw-semibold">{}</span> {}</div>',
        _pinned_id(target),
        _("Reviewer’s comment:"),
        pin.comment,
    )


@register.inclusion_tag("evaluations/_workflow_actions.html", takes_context=True)
def workflow_actions(context, subject):
    """The buttons of the steps this user may take on the form (or report) now, from the
    workflow's declaration: a step with a page of its own (a decision) links there once, a plain
    step posts. A reviewer with nothing to decide still finds its flags and changes."""
    request = context["request"]
    user = request.user
    kind = subjects.of(subject)
    on_page = request.resolver_match.url_name
    review = kind.url_name("review")
    links, posts = [], []
    for step in workflow.available(subject, user):
        url_name = kind.url_name(step.action)
        if step.own_page:
            if url_name != on_page and url_name not in [url for url, _s in links]:
                links.append((url_name, step))
        else:
            posts.append((kind.path(step.action, subject), step))
    reviews = access.has_role(user, steps.FINANCE, subject) or access.has_role(
        user, steps.SUPERVISOR, subject
    )
    return {
        "posts": posts,
        "links": [(kind.path(step.action, subject), step, url == review) for url, step in links],
        "flags_link": kind.path("review", subject)
        if reviews and on_page != review and not links
        else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("evaluations/_history.html")
def evaluation_history(subject):
    """The history of a form or report, newest first."""
    return {
        "transitions": subject.transitions.select_related("actor")
        .prefetch_related("pins")
        .order_by("-created_at", "-id")
    }


@register.inclusion_tag("evaluations/_events.html", takes_context=True)
def recent_events(context):
    request = context["request"]
    return {
        "events": notifications.dashboard_events(request.user),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


# A viewer of many departments has hundreds of forms returned: the dashboard names the first
# ones and counts the others, which the list below shows.
RETURNED_SHOWN = 10


@register.inclusion_tag("evaluations/_dashboard.html", takes_context=True)
def department_dashboard(context, year):
    """Days left until the deadline, the forms returned to the user's departments in this year
    and in others, events."""
    request = context["request"]
    departments = access.member_departments(request.user).values("pk")
    bureaus = access.member_departments(request.user).order_by().values_list("bureau", flat=True)
    settings = deadlines.settings_for(bureaus.distinct(), year)
    deadline = settings.deadline if settings else None
    days_left = None
    if deadline:
        days_left = (deadline - timezone.localdate()).days
    returned, more = [], 0
    if year:
        last_return = Transition.objects.filter(
            evaluation=OuterRef("pk"), to_state=State.RETURNED
        ).order_by("-created_at", "-id")
        found = access.visible_evaluations(request.user).filter(
            project__department__in=departments, year=year, state=State.RETURNED
        )
        returned = list(
            found.annotate(last_return_id=Subquery(last_return.values("pk")[:1])).order_by(
                "project__name"
            )[:RETURNED_SHOWN]
        )
        if len(returned) == RETURNED_SHOWN:
            more = found.count() - RETURNED_SHOWN
        returns = Transition.objects.in_bulk([form.last_return_id for form in returned])
        for form in returned:
            form.last_return = returns.get(form.last_return_id)
    elsewhere = (
        waiting.elsewhere(request.user, Desk.DEPARTMENT, year)
        .select_related("project")
        .order_by("year_id", "project__name")
    )
    return {
        "member": access.is_member(request.user),
        "year": year,
        "deadline": deadline,
        "days_left": days_left,
        "days_late": -days_left if days_left is not None and days_left < 0 else None,
        "returned": returned,
        "more_returned": more,
        "elsewhere": elsewhere[:RETURNED_SHOWN],
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
