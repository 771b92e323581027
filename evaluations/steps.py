"""The review workflow, declared once: every step a form (or a department's report, anything of
evaluations/subjects.py) can take, from which states to which,
who takes it, whether it needs a comment and whether it runs the blocking checks.

    draft, returned ──submit_to_supervisor──▶ supervisor   the unit's editors (a 二级单位 in a
                                                            year with the 主管部门 stage)
    draft, returned ──submit────────────────▶ submitted    the department's editors (otherwise)
    supervisor      ──withdraw_from_supervisor▶ draft      the editors, until the 主管部门 acts
    supervisor      ──pass_on───────────────▶ submitted    the 主管部门's reviewers
    supervisor      ──return_by_supervisor──▶ returned     the 主管部门's reviewers, with a comment
    submitted       ──withdraw──────────────▶ draft        the editors, when no 主管部门 passed it
    submitted       ──approve───────────────▶ approved     the finance bureau's reviewers
    submitted       ──return_───────────────▶ returned     the finance bureau's reviewers, commented
    approved        ──reopen────────────────▶ returned     administrators, with a reason

evaluations/workflow.py takes any step the one guarded way; the buttons, the queues, the
notifications, the dashboard's events, the colours of the states and the permission tests are
derived from STEPS. A new step or role changes this module (and access.py for a new role).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from evaluations.models import Evaluation

State = Evaluation.State

# Who takes a step, relative to the form's department (departments/access.py decides who is).
EDITOR = "editor"
SUPERVISOR = "supervisor"
FINANCE = "finance"
ADMIN = "admin"
ROLES = (EDITOR, SUPERVISOR, FINANCE, ADMIN)
ROLE_LABELS = {
    EDITOR: _("department editor"),
    SUPERVISOR: _("主管部门 reviewer"),
    FINANCE: _("finance reviewer"),
    ADMIN: _("administrator"),
}

# The level a step is taken at, as the history shows it.
UNIT = "unit"
LEVELS = {
    UNIT: _("Unit"),
    SUPERVISOR: _("主管部门"),
    FINANCE: _("Finance bureau"),
    ADMIN: _("Administrator"),
}

# Which forms a step is for (evaluations/workflow.py decides per form): every one, those that go
# through a 主管部门 this year, those that do not, those no 主管部门 has passed on.
ALWAYS, WITH_SUPERVISOR, WITHOUT_SUPERVISOR, NOT_PASSED = "always", "with", "without", "unpassed"


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple
    target: str
    role: str
    level: str
    # Which forms the step is for: every one, or only those that go (do not go) through a
    # 主管部门 this year.
    route: str = ALWAYS
    needs_comment: bool = False
    runs_checks: bool = False
    # The form's timestamps the step sets and clears.
    stamps: tuple = ()
    clears: tuple = ()
    # Bootstrap's colour of the step's button.
    button: str = "primary"
    # What the comment is called on the history and in mails.
    comment_label: str = _("Reviewer’s comment:")
    # Who is told: the roles that act next, or the editors of the department.
    tells: tuple = ()
    # The page that takes the step (the subject's kind names its URL), and whether it is a page
    # of its own (a decision with a comment: the buttons link there) or a plain POST (the
    # buttons post there).
    action: str = "review"
    own_page: bool = True
    # What the page says once the step is taken (%(subject)s: the form or report).
    done: str = ""
    # What the user confirms before the step is taken (empty: nothing to confirm).
    confirm: str = ""

    def applies_to(self, goes_through_supervisor):
        if self.route == WITH_SUPERVISOR:
            return goes_through_supervisor
        if self.route == WITHOUT_SUPERVISOR:
            return not goes_through_supervisor
        return True


STEPS = (
    Step(
        "submit_to_supervisor",
        _("Submit for review"),
        (State.DRAFT, State.RETURNED),
        State.SUPERVISOR,
        EDITOR,
        UNIT,
        route=WITH_SUPERVISOR,
        runs_checks=True,
        stamps=("submitted_at",),
        button="success",
        tells=(SUPERVISOR,),
        action="submit",
        own_page=False,
        done=_("Submitted to the 主管部门: %(subject)s is read-only until it decides."),
    ),
    Step(
        "submit",
        _("Submit for review"),
        (State.DRAFT, State.RETURNED),
        State.SUBMITTED,
        EDITOR,
        UNIT,
        route=WITHOUT_SUPERVISOR,
        runs_checks=True,
        stamps=("submitted_at",),
        button="success",
        tells=(FINANCE,),
        action="submit",
        own_page=False,
        done=_("Submitted for review: %(subject)s is read-only until the finance bureau decides."),
    ),
    Step(
        "withdraw_from_supervisor",
        _("Withdraw"),
        (State.SUPERVISOR,),
        State.DRAFT,
        EDITOR,
        UNIT,
        clears=("submitted_at",),
        button="outline-danger",
        action="withdraw",
        own_page=False,
        done=_("Withdrawn: %(subject)s is a draft again."),
        confirm=_("Withdraw from review? It becomes a draft again."),
    ),
    Step(
        "withdraw",
        _("Withdraw"),
        (State.SUBMITTED,),
        State.DRAFT,
        EDITOR,
        UNIT,
        route=NOT_PASSED,
        clears=("submitted_at",),
        button="outline-danger",
        action="withdraw",
        own_page=False,
        done=_("Withdrawn: %(subject)s is a draft again."),
        confirm=_("Withdraw from review? It becomes a draft again."),
    ),
    Step(
        "pass_on",
        _("Pass on to the finance bureau"),
        (State.SUPERVISOR,),
        State.SUBMITTED,
        SUPERVISOR,
        SUPERVISOR,
        stamps=("passed_at",),
        button="success",
        tells=(FINANCE, EDITOR),
        done=_("Passed on to the finance bureau: %(subject)s"),
    ),
    Step(
        "return_by_supervisor",
        _("Return for changes"),
        (State.SUPERVISOR,),
        State.RETURNED,
        SUPERVISOR,
        SUPERVISOR,
        needs_comment=True,
        clears=("passed_at",),
        button="danger",
        tells=(EDITOR,),
        done=_("Returned: %(subject)s"),
    ),
    Step(
        "approve",
        _("Approve"),
        (State.SUBMITTED,),
        State.APPROVED,
        FINANCE,
        FINANCE,
        stamps=("approved_at",),
        button="success",
        tells=(EDITOR,),
        done=_("Approved: %(subject)s"),
    ),
    Step(
        "return",
        _("Return for changes"),
        (State.SUBMITTED,),
        State.RETURNED,
        FINANCE,
        FINANCE,
        needs_comment=True,
        clears=("passed_at",),
        button="danger",
        tells=(EDITOR,),
        done=_("Returned: %(subject)s"),
    ),
    Step(
        "reopen",
        _("Reopen"),
        (State.APPROVED,),
        State.RETURNED,
        ADMIN,
        ADMIN,
        needs_comment=True,
        clears=("approved_at", "passed_at"),
        button="outline-danger",
        comment_label=_("Reason:"),
        tells=(EDITOR,),
        action="reopen",
        done=_("Reopened and returned to its department: %(subject)s"),
    ),
)
BY_NAME = {step.name: step for step in STEPS}


def get(name):
    return BY_NAME[name]


def leaving(state):
    """The steps that leave a state."""
    return [step for step in STEPS if state in step.sources]


def reviewing(step):
    """Whether the step is a reviewer's decision (taken on the review page)."""
    return step.role in (SUPERVISOR, FINANCE)


def review_states(role):
    """The states whose forms wait for this role: those its steps leave (a queue's forms)."""
    found = []
    for step in STEPS:
        if step.role == role:
            found += [state for state in step.sources if state not in found]
    return found


def step_of(transition):
    """The declared step a history row records (rows before steps were recorded: the step
    between its two states)."""
    if transition.step in BY_NAME:
        return BY_NAME[transition.step]
    return next(
        (
            step
            for step in STEPS
            if transition.from_state in step.sources and step.target == transition.to_state
        ),
        None,
    )
