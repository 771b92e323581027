"""Importing filled workbooks into a department's forms: a preview, then one transaction.

The reader turns files into plain sheets; this module decides what each sheet would do to the
department's forms: create one, update a draft or returned one, or nothing (skipped, saying why)
because the form is submitted or approved or the user does not edit the department. It writes
every form to create or update, or nothing. Forms are matched by department, project name and
year. New forms are drafts; states are never changed here.

Between the preview and the confirmation only the parsed content is kept (`Plan.as_data`, stored
in the session by the views), never the uploaded files: any app server can carry on. The
confirmation carries the plan's fingerprint, so that what is written is what was previewed.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from config.events import log_event
from departments import access
from evaluations import changes, content
from evaluations.excel import layout
from evaluations.excel.reader import (
    OpenYear,
    ParsedSheet,
    ParsedWorkbook,
    Problem,
    WorkbookRefused,
    read_workbook,
)
from evaluations.models import (
    BureauYear,
    Evaluation,
    FundLine,
    Indicator,
    Project,
    SettingsCache,
    Year,
)

CREATE = "create"
UPDATE = "update"
SKIP = "skip"


class ImportRefused(Exception):
    """Nothing was written; `problems` says why."""

    def __init__(self, problems):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def open_years(department=None):
    """Every year forms can be filed for, as the reader needs it: the layout, taxonomy and
    rules the department's finance bureau files it in (the years' own without a department)."""
    own = {}
    if department is not None:
        own = {
            settings.year_id: settings
            for settings in BureauYear.objects.filter(bureau=department.bureau_id).select_related(
                "edition"
            )
        }
    taxonomies = {}
    years = {}
    for year in Year.objects.select_related("edition"):
        settings = own.get(year.year, year)
        if settings.edition_id not in taxonomies:
            taxonomies[settings.edition_id] = layout.Taxonomy(settings.edition)
        years[year.year] = OpenYear(
            settings.form_layout, taxonomies[settings.edition_id], settings.scoring_rules
        )
    return years


def layouts_by_year(departments):
    """[(year, [(bureau, layout)])]: the layout each bureau of these departments files each
    year in, newest year first, for the page that says which workbooks it reads."""
    bureaus = sorted({department.bureau for department in departments}, key=lambda b: b.code)
    own = {
        (settings.bureau_id, settings.year_id): settings
        for settings in BureauYear.objects.filter(bureau__in=bureaus)
    }
    return [
        (
            year,
            [(bureau, own.get((bureau.pk, year.year), year).form_layout) for bureau in bureaus],
        )
        for year in Year.objects.order_by("-year")
    ]


def read_files(files, department=None):
    """[(client file name, bytes or binary file)] → [ParsedWorkbook], read in the layouts the
    department files its years in; refused files hold one problem and no sheet."""
    years = open_years(department)
    workbooks = []
    for name, upload in files:
        try:
            workbooks.append(read_workbook(upload, name, years))
        except WorkbookRefused as refusal:
            workbooks.append(ParsedWorkbook(name, problems=[Problem(str(refusal))]))
    return workbooks


@dataclass
class Step:
    """What one sheet would do: create a form, update one, be skipped, or nothing (it has
    errors)."""

    workbook: str
    sheet: ParsedSheet
    action: str | None = None
    evaluation: Evaluation | None = None
    problems: list = field(default_factory=list)
    # Why a skipped sheet is skipped.
    reason: str = ""
    # For an update, once previewed: what the import changes in the form (changes.Changes).
    changes: object = None

    @property
    def all_problems(self):
        # A skipped sheet is not imported: what is wrong in it does not matter.
        return self.problems if self.action == SKIP else self.sheet.problems + self.problems

    @property
    def errors(self):
        return [problem for problem in self.all_problems if not problem.warning]

    @property
    def evaluation_id(self):
        return self.evaluation.pk if self.evaluation else None

    @property
    def key(self):
        """The step as the fingerprint holds it: the action, and the form's id, version and
        state as they were."""
        evaluation = self.evaluation
        if evaluation is None:
            return f"{self.action}"
        return f"{self.action}:{evaluation.pk}:{evaluation.version}:{evaluation.state}"


@dataclass
class Plan:
    department: object
    workbooks: list
    steps: list = field(default_factory=list)

    @property
    def file_problems(self):
        return [
            (workbook.name, problem) for workbook in self.workbooks for problem in workbook.problems
        ]

    @property
    def has_errors(self):
        return bool(self.file_problems) or any(step.errors for step in self.steps)

    @property
    def ok(self):
        """Nothing stands in the way and there is something to write."""
        return not self.has_errors and bool(self.count_created + self.count_updated)

    @property
    def nothing_to_import(self):
        return not self.has_errors and bool(self.steps) and not self.ok

    def count(self, action):
        return sum(1 for step in self.steps if step.action == action)

    @property
    def count_created(self):
        return self.count(CREATE)

    @property
    def count_updated(self):
        return self.count(UPDATE)

    @property
    def count_skipped(self):
        return self.count(SKIP)

    @property
    def fingerprint(self):
        """What the plan does to which form in which version: the confirmation goes through
        only while this is unchanged."""
        return ",".join(step.key for step in self.steps)

    def problems(self):
        """Every problem as text, files first, for a command's output."""
        lines = [f"{name}: {problem}" for name, problem in self.file_problems]
        for step in self.steps:
            lines += [f"{step.workbook}: {problem}" for problem in step.all_problems]
        return lines

    def as_data(self):
        """Plain data to keep between the preview and the confirmation."""
        return {
            "department": self.department.pk,
            "workbooks": [
                {
                    "name": workbook.name,
                    "problems": [_problem_data(problem) for problem in workbook.problems],
                    "sheets": [
                        {
                            "number": sheet.number,
                            "title": sheet.title,
                            "year": sheet.year,
                            "content": sheet.content,
                            "problems": [_problem_data(problem) for problem in sheet.problems],
                        }
                        for sheet in workbook.sheets
                    ],
                    "versions": {str(pk): version for pk, version in workbook.versions.items()},
                }
                for workbook in self.workbooks
            ],
        }


def _problem_data(problem):
    return [problem.message, problem.sheet, problem.cell, problem.warning]


def workbooks_from_data(data):
    return [
        ParsedWorkbook(
            workbook["name"],
            sheets=[
                ParsedSheet(
                    sheet["number"],
                    sheet["title"],
                    sheet["year"],
                    sheet["content"],
                    [Problem(*problem) for problem in sheet["problems"]],
                )
                for sheet in workbook["sheets"]
            ],
            problems=[Problem(*problem) for problem in workbook["problems"]],
            versions={int(pk): version for pk, version in workbook["versions"].items()},
        )
        for workbook in data["workbooks"]
    ]


def plan(department, workbooks, *, user=None, lock=False):
    """What importing these workbooks into the department would do, as things stand now.

    With a user, sheets are skipped unless that user edits the department (a command passes
    none). With lock, the matched forms stay locked until the transaction ends.
    """
    result = Plan(department, workbooks)
    sheets = [(workbook, sheet) for workbook in workbooks for sheet in workbook.sheets]
    keys = {(sheet.project, sheet.year) for _workbook, sheet in sheets if sheet.project}
    matches = Evaluation.objects.filter(
        project__department=department,
        project__name__in={project for project, _year in keys},
        year__in={year for _project, year in keys if year},
    ).select_related("project__department", "updated_by", "year__edition")
    if lock:
        matches = matches.select_for_update(of=("self",))
    existing = {(evaluation.project.name, evaluation.year_id): evaluation for evaluation in matches}
    may_edit = user is None or access.can_edit_department(user, department.pk)
    seen = {}
    for workbook, sheet in sheets:
        step = Step(workbook.name, sheet)
        result.steps.append(step)
        key = (sheet.project, sheet.year)
        evaluation = existing.get(key)
        if not may_edit:
            step.action = SKIP
            step.reason = _("You do not edit the forms of %(department)s.") % {
                "department": department.name
            }
            continue
        if evaluation is not None and not evaluation.is_editable_state:
            step.action, step.evaluation, step.reason = SKIP, evaluation, _why_not(evaluation)
            continue
        if sheet.errors:
            continue
        if key in seen:
            step.problems.append(
                Problem(
                    _("%(project)s (%(year)s) is also in %(other)s; import it once.")
                    % {"project": sheet.project, "year": sheet.year, "other": seen[key]},
                    sheet.number,
                )
            )
            continue
        seen[key] = _("sheet %(number)s of %(name)s") % {
            "number": sheet.number,
            "name": workbook.name,
        }
        if evaluation is None:
            step.action = CREATE
            continue
        step.action, step.evaluation = UPDATE, evaluation
        downloaded = workbook.versions.get(evaluation.pk)
        if downloaded is not None and evaluation.version > downloaded:
            step.problems.append(_saved_since_download(sheet, evaluation))
    return result


def _why_not(evaluation):
    if evaluation.state == Evaluation.State.SUPERVISOR:
        return _(
            "The form is submitted and waits for its 主管部门's review; withdraw it to change it."
        )
    if evaluation.state == Evaluation.State.SUBMITTED:
        return _(
            "The form is submitted and waits for the finance bureau's review; withdraw it to "
            "change it."
        )
    return _("The form is approved; only an administrator can reopen it.")


def _saved_since_download(sheet, evaluation):
    editor = evaluation.updated_by
    return Problem(
        _(
            "%(who)s saved this form on %(when)s, after this workbook was downloaded: importing "
            "it replaces what was saved then (see the changes)."
        )
        % {
            "who": (editor.get_full_name() or editor.username) if editor else _("Someone"),
            "when": timezone.localtime(evaluation.updated_at).strftime("%Y-%m-%d %H:%M"),
        },
        sheet.number,
        warning=True,
    )


def preview(department, workbooks, user):
    """The plan as the preview page shows it: each update with what it changes in the form."""
    result = plan(department, workbooks, user=user)
    for step in result.steps:
        if step.action == UPDATE:
            current = changes.snapshot(step.evaluation)
            step.changes = changes.compare(current, _as_snapshot(step.sheet.content, current))
    return result


def _as_snapshot(data, current):
    """A sheet's content as changes.snapshot shapes a form: written as the form would be saved,
    with the form's layout and fund source ids from its snapshot `current`."""
    data = content.Content.from_data(data).as_data()
    ids = {line["source"]: line.get("source_id") for line in current["funds"]}
    for line in data["funds"]:
        line["source_id"] = ids.get(line["source"])
    data["layout"] = current.get("layout")
    return data


def apply(department, workbooks, user, *, confirmed=None):
    """Write the plan in one transaction: every form to create or update, or nothing. Returns
    the Plan written.

    The plan is made again inside the transaction, with the matched forms locked; when
    `confirmed` (the fingerprint of the plan the user saw) is given and no longer matches, a
    form was submitted, saved or created since the preview, and nothing is written.
    """
    try:
        with transaction.atomic():
            result = _apply(department, workbooks, user, confirmed)
    except ImportRefused as refusal:
        log_event("import_refused", user=user, department=department.code, problems=str(refusal))
        raise
    except IntegrityError:
        # Someone created one of these forms at the same moment: nothing was written.
        raise ImportRefused(
            [Problem(_("The department's forms changed during the import. Try again."))]
        ) from None
    transaction.on_commit(
        lambda: log_event(
            "import",
            user=user,
            department=department.code,
            files=len(workbooks),
            forms_created=result.count(CREATE),
            forms_updated=result.count(UPDATE),
            sheets_skipped=result.count(SKIP),
        )
    )
    return result


def _apply(department, workbooks, user, confirmed):
    result = plan(department, workbooks, user=user, lock=True)
    if confirmed is not None and confirmed != result.fingerprint:
        raise ImportRefused(
            [
                Problem(
                    _("The forms changed since the preview: look at the preview again and confirm.")
                )
            ]
        )
    if not result.ok:
        problems = [problem for _name, problem in result.file_problems]
        problems += [problem for step in result.steps for problem in step.errors]
        raise ImportRefused(problems or [Problem(_nothing_to_import(result))])
    edits = _edits(department, result.steps)
    content.save_many(edits, user)
    return result


def _edits(department, steps):
    """What each step to write saves, as content.Edit, in the order of the steps; the forms'
    saved content, the projects and the years in a few queries for the whole workbook."""
    updates = [step.evaluation for step in steps if step.action == UPDATE]
    prefetch_related_objects(
        updates,
        Prefetch("fund_lines", FundLine.objects.order_by()),
        Prefetch("indicators", Indicator.objects.select_related("category__parent")),
    )
    new = [step.sheet.content["project"] for step in steps if step.action == CREATE]
    projects = _projects(department, list(dict.fromkeys(new)))
    years = {year.year: year for year in Year.objects.select_related("edition")}
    settings = SettingsCache()
    sources = {}
    edits = []
    for step in steps:
        if step.action == UPDATE:
            evaluation = settings.attach(step.evaluation)
        elif step.action == CREATE:
            project = projects[step.sheet.content["project"]]
            evaluation = Evaluation(project=project, year=years[step.sheet.year])
        else:
            continue
        read = content.Content.from_data(step.sheet.content)
        if evaluation.pk:
            edition = evaluation.year_settings.edition
            if edition.pk not in sources:
                sources[edition.pk] = list(edition.fund_sources.all())
            saved = content.of(evaluation, sources[edition.pk])
            read = content.shown_over(saved, read, evaluation.form_layout)
        edits.append(content.Edit(evaluation, read))
    return edits


def _projects(department, names):
    """{name: project} of the department, made where it has none of that name."""
    found = {
        project.name: project
        for project in Project.objects.filter(department=department, name__in=names).select_related(
            "department"
        )
    }
    made = [Project(department=department, name=name) for name in names if name not in found]
    Project.objects.bulk_create(made)
    return {**found, **{project.name: project for project in made}}


def _nothing_to_import(result):
    if result.steps:
        return _("There is no form to import: every sheet is skipped, for the reasons shown.")
    return _("There is no form to import.")
