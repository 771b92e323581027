import copy
from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from departments import access
from evaluations import (
    content,
    editing,
    form_list,
    notifications,
    official,
    sampling,
    scorecard,
    scoring,
    waiting,
)
from evaluations.completion import offered
from evaluations.forms import (
    EvaluationForm,
    FactsForm,
    FundLineForm,
    IndicatorFormSet,
    NewEvaluationForm,
)
from evaluations.indicators import group_rows, row_labels
from evaluations.layouts.declaration import FORM_TEXTS, Block, Funds, Indicators, Value
from evaluations.models import POINTS_MAX, Evaluation, Year
from evaluations.money import MAX_AMOUNT, MAX_DECIMALS, amount_messages, rate_messages, total
from evaluations.money import Funds as FundTotals
from evaluations.points import points_messages
from evaluations.waiting import Desk


@require_GET
def home(request):
    if access.is_member(request.user):
        return redirect("evaluation_list")
    if access.is_reviewer(request.user):
        return redirect("review_queue")
    if access.is_admin(request.user):
        return redirect("admin:index")
    return render(request, "evaluations/no_access.html")


def selected_year(request, desk=Desk.DEPARTMENT):
    """The year asked for; without one, the year the desk's pages open on for this user."""
    years = list(Year.objects.all())
    wanted = request.GET.get("year") or request.POST.get("year")
    if wanted:
        try:
            return next(year for year in years if str(year.year) == wanted), years
        except StopIteration:
            raise Http404(_("There is no such year.")) from None
    return waiting.default_year(request.user, desk), years


@require_GET
def evaluation_list(request):
    year, years = selected_year(request)
    listed = form_list.build(request.user, year, request.GET)
    return render(
        request,
        "evaluations/list.html",
        {
            "year": year,
            "years": years,
            "listed": listed,
            "sections": listed.sections,
            "can_start": access.editable_departments(request.user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def evaluation_new(request):
    year, _years = selected_year(request)
    departments = access.editable_departments(request.user)
    if year is None or not departments.exists():
        raise PermissionDenied
    form = NewEvaluationForm(request.POST or None, departments=departments, year=year)
    if form.is_valid():
        evaluation = editing.start_evaluation(
            form.cleaned_data["department"],
            year,
            form.cleaned_data["project_name"],
            form.cleaned_data["kind"],
            request.user,
        )
        messages.success(request, _("The form is started. Fill it in and save a draft."))
        return redirect("evaluation_edit", evaluation.pk)
    return render(request, "evaluations/new.html", {"form": form, "year": year})


@require_POST
def evaluation_copy(request, pk):
    previous = access.evaluation_for_editing(request.user, pk)
    year = get_object_or_404(Year, year=previous.year_id + 1)
    existing = Evaluation.objects.filter(project=previous.project, year=year).first()
    if existing:
        messages.info(request, _("This project already has a form for %(year)s.") % {"year": year})
        return redirect("evaluation_edit", existing.pk)
    evaluation = editing.copy_evaluation(previous, year, request.user)
    messages.success(
        request,
        _(
            "Last year's plan is copied: goal, indicators and targets. Funds and results are "
            "empty, ready for this year."
        ),
    )
    return redirect("evaluation_edit", evaluation.pk)


@require_GET
def evaluation_detail(request, pk):
    evaluation = access.evaluation_for_viewing(request.user, pk).fetch_content()
    notifications.mark_read(request.user, evaluation)
    return render(
        request,
        "evaluations/detail.html",
        {
            **official_context(evaluation),
            "can_edit": access.can_edit(request.user, evaluation),
            "back": way_back(request.user, evaluation),
            "sampled": sampling.of_form(evaluation),
        },
    )


def way_back(user, evaluation):
    """Where a form's page leads back to: the department's forms for its members, the review
    queue for those who review them, nowhere for anyone else (an administrator)."""
    department_id = evaluation.project.department_id
    if access.member_departments(user).filter(pk=department_id).exists():
        return "evaluation_list"
    if access.review_departments(user).filter(pk=department_id).exists():
        return "review_queue"
    return None


def official_context(evaluation):
    """What templates/evaluations/_official.html needs to draw the form."""
    return {"evaluation": evaluation, "sheet": official.sheet(evaluation)}


@dataclass(frozen=True)
class PageError:
    """An entry a save was refused for: what it is, why, and the id of the field to correct
    (None for what is about the whole form)."""

    label: str
    message: str
    anchor: str | None

    def __str__(self):
        if not self.label:
            return self.message
        return _("%(label)s: %(message)s") % {"label": self.label, "message": self.message}


@dataclass(frozen=True)
class PagePart:
    """A part of the edit page, in the order of the layout's sheet: a block of texts, the funds
    block or the indicators. `names` are the form's texts it holds (the funds block holds the
    execution rate's reason where the layout has one)."""

    kind: str
    anchor: str
    heading: str
    names: tuple = ()


def page_parts(layout, year, rules):
    """The parts of the layout's sheet the edit page shows. The block of the goals is anchored
    `goals` and the funds `funds`, where pins and checks lead."""
    parts = []
    for part in layout.sheet:
        if isinstance(part, Funds):
            names = ("execution_reason",) if layout.has("execution_reason") else ()
            heading = official.sheet_text(part.section.text, year, rules)
            parts.append(PagePart("funds", "funds", heading, names))
        elif isinstance(part, Indicators):
            heading = official.sheet_text(part.section.text, year, rules)
            parts.append(PagePart("indicators", "indicators", heading))
        elif isinstance(part, Block):
            names = []
            for row in part.rows:
                for cell in row:
                    if isinstance(cell, Value):
                        if cell.with_code and layout.has("project_code"):
                            names.append("project_code")
                        names.append(cell.field)
            if not names:
                continue
            if "goal" in names:
                anchor = "goals"
            elif "project" in names:
                anchor = "header"
            else:
                anchor = f"texts-{len(parts)}"
            heading = official.sheet_text(part.section.text, year, rules) if part.section else ""
            parts.append(PagePart("texts", anchor, heading, tuple(names)))
    return parts


def form_field_name(name):
    """The edit page's field of a layout's value: the project's name is `project_name`."""
    return "project_name" if name == "project" else name


class EditPage:
    """The edit page's parts, as the form's layout declares them: its texts, the funds block,
    the indicator rows, and for a scored layout the scores computed beside them."""

    def __init__(self, evaluation, data=None):
        self.evaluation = evaluation.fetch_content()
        self.layout = evaluation.form_layout
        self.rules = evaluation.year_settings.scoring_rules
        edition = evaluation.year_settings.edition
        self.categories = edition.taxonomy
        self.form = EvaluationForm(data, instance=evaluation, layout=self.layout)
        self.facts = FactsForm(data, evaluation=evaluation)
        self.parts = page_parts(self.layout, evaluation.year_id, self.rules)
        lines = {line.source_id: line for line in evaluation.fund_lines.all()}
        entered = self.layout.funds.entered
        self.fund_forms = [
            FundLineForm(
                data,
                source=source,
                columns=entered,
                initial={
                    column.name: getattr(lines.get(source.pk), column.name, None)
                    for column in entered
                },
            )
            for source in edition.fund_sources.all()
        ]
        self.row_columns = [
            column
            for column in self.layout.indicators.columns
            if column.name not in ("level1", "level2")
        ]
        rows = list(evaluation.rows_with_categories())
        if data is not None:
            # Validating a row's form writes what was posted into its row; a page shown again
            # after a refused save still sums and checks the rows as they are saved.
            rows = [copy.copy(row) for row in rows]
        self.indicators = IndicatorFormSet(
            data,
            rows=rows,
            categories=self.categories,
            columns=self.row_columns,
            prefix="indicators",
        )
        self.refusal = None

    def is_valid(self):
        parts = [self.form.is_valid(), self.indicators.is_valid(), self.facts.is_valid()]
        parts += [fund_form.is_valid() for fund_form in self.fund_forms]
        return all(parts)

    @property
    def shows_completion_rate(self):
        return "completion_rate" in self.layout.row_columns

    def groups(self):
        forms = self.indicators.forms

        def category_id_of(form):
            value = form["category"].value()
            try:
                return int(value)
            except (TypeError, ValueError):
                return None

        scores = self.row_scores()
        for form in forms:
            form.suggested_rate = None
            if self.shows_completion_rate:
                form.suggested_rate = offered(
                    form["target"].value(),
                    form["actual"].value(),
                    form["completion_rate"].value(),
                )
            form.computed = scores.get(form.instance.pk) if form.instance.pk else None
        return group_rows(self.categories, forms, category_id_of)

    def errors(self, groups):
        """Every entry the save was refused for, one per field, in the order of the page."""
        found = []

        def add(bound_field, label):
            if bound_field.errors:
                found.append(PageError(label, " ".join(bound_field.errors), bound_field.auto_id))

        def add_rest(form, shown, label="", anchor=None):
            for name, errors in form.errors.items():
                if name not in shown:
                    found.append(PageError(label, " ".join(errors), anchor))

        # The page's parts in the order of the sheet; the form's own errors (its version) where
        # the texts end, as before the indicators on every layout's page.
        shown = [form_field_name(name) for part in self.parts for name in part.names]
        for part in self.parts:
            if part.kind == "indicators":
                add_rest(self.form, shown)
                self.row_errors(groups, found, add, add_rest)
                continue
            if part.kind == "funds":
                names = [column.name for column in self.layout.funds.entered]
                for fund_form in self.fund_forms:
                    for name in names:
                        add(fund_form[name], f"{fund_form.source.name} {fund_form[name].label}")
                    add_rest(fund_form, names, fund_form.source.name, "funds")
            for name in map(form_field_name, part.names):
                add(self.form[name], self.form[name].label)
        return found

    def row_errors(self, groups, found, add, add_rest):
        rows = [form for group in groups for section in group.sections for form in section.rows]
        places = {
            form: f"{group.category.name} · {section.category.name}"
            for group in groups
            for section in group.sections
            for form in section.rows
        }
        labels = row_labels(
            rows,
            name_of=lambda form: form["name"].value(),
            section_of=lambda form: places[form],
            place_of=lambda form: places[form],
        )
        for form in rows:
            # The server ignores a removed row, errors and all; so does the summary.
            if form.cleaned_data.get("DELETE"):
                continue
            for name in form.shown:
                label = _("%(row)s, %(column)s") % {
                    "row": labels[form],
                    "column": form[name].label,
                }
                add(form[name], label)
            # Its hidden bookkeeping (id, category, position) is corrected from the row.
            add_rest(form, form.shown, labels[form], form["name"].auto_id)
        for error in self.indicators.non_form_errors():
            found.append(PageError("", error, "indicators"))
        for name in self.facts.fields:
            add(self.facts[name], self.facts[name].label)

    def content(self):
        """What the page says, as the form's Content: values the page does not show (those of
        another layout) stay as saved."""
        edited = content.of(self.evaluation)
        cleaned = self.form.cleaned_data
        edited.project = cleaned["project_name"]
        if "project_code" in cleaned:
            edited.project_code = cleaned["project_code"]
        for name in FORM_TEXTS:
            if name in cleaned:
                edited.texts[name] = cleaned[name]
        for fund_form in self.fund_forms:
            line = edited.fund(fund_form.source.name)
            for column in self.layout.funds.entered:
                setattr(line, column.name, fund_form.cleaned_data[column.name])
        saved = {row.id: row for row in edited.indicators}
        deleted = set(self.indicators.deleted_forms)
        rows = []
        for form in self.indicators.forms:
            if form.instance.pk is None and not form.has_changed():
                continue
            if form in deleted or form.is_blank():
                continue
            data = form.cleaned_data
            category = data["category"]
            row = saved.get(form.instance.pk) or content.Row(category.parent.name, category.name)
            row.level1, row.level2 = category.parent.name, category.name
            for name in form.shown:
                setattr(row, name, data[name])
            rows.append((data.get("position") or 0, row))
        # The page's order; a row posted without a position goes first in its group.
        edited.indicators = [row for _position, row in sorted(rows, key=lambda item: item[0])]
        edited.facts = self.facts.facts()
        return edited

    def save(self, user):
        """Save what the page says, unless someone else saved the form since it was opened."""
        try:
            content.save(
                self.evaluation, self.content(), user, version=self.form.cleaned_data["version"]
            )
        except content.EditRefused:
            # The page shown again sums and scores the form as it is saved now.
            self.evaluation.forget_content()
            self.__dict__.pop("saved", None)
            self.__dict__.pop("scorecard", None)
            raise

    @cached_property
    def scorecard(self):
        """The scores of the form as saved (the page's script recomputes them as one types);
        None for a layout without scores."""
        return scorecard.of_content(self.saved, self.rules)

    @cached_property
    def saved(self):
        return content.of(self.evaluation)

    def row_scores(self):
        if self.scorecard is None:
            return {}
        return {item.row.id: item for item in self.scorecard.rows}

    def field_width(self, name, names):
        """The grid columns a text takes on the page: a long text alone takes the whole row,
        two side by side (the goal and what was achieved) half each, like one-line texts."""
        if name == "project_code":
            return "col-md-4"
        if name == "project":
            return "col-md-8" if "project_code" in names else "col-12"
        declared = self.layout.field_by_name[name]
        multi = [other for other in names if self.layout.field_by_name[other].multi_line]
        return "col-12" if declared.multi_line and len(multi) != 2 else "col-md-6"

    def context(self):
        saved = self.saved
        groups = self.groups()
        errors = self.errors(groups) if self.form.is_bound else []
        card = self.scorecard
        return {
            "evaluation": self.evaluation,
            "layout": self.layout,
            "form": self.form,
            "facts": self.facts,
            "parts": [
                {
                    "kind": part.kind,
                    "anchor": part.anchor,
                    "heading": part.heading,
                    "fields": [
                        (self.form[form_field_name(name)], self.field_width(name, part.names))
                        for name in part.names
                    ],
                }
                for part in self.parts
            ],
            "fund_totals": {
                column.name: total(getattr(line, column.name) for line in saved.funds)
                for column in self.layout.funds.entered
            },
            "weight_label": getattr(self.layout.row_columns.get("weight"), "label", ""),
            "score_label": getattr(self.layout.row_columns.get("score"), "label", ""),
            "execution_reason_below": self.rules
            and self.rules.execution_reason_below is not None
            and f"{(self.rules.execution_reason_below * 100).normalize():f}",
            "fund_forms": self.fund_forms,
            "fund_columns": self.layout.funds.columns,
            "funds": FundTotals.of(self.evaluation),
            "row_columns": self.row_columns,
            "formset": self.indicators,
            "groups": groups,
            "scorecard": card,
            "execution_reason_needed": card is not None
            and scoring.execution_reason_needed(card.executed, card.budget, self.rules),
            "scoring_rules": self.rules.as_settings() if self.rules else None,
            "refusal": self.refusal,
            "errors": errors,
            "error_count": len(errors),
            # The script marks a refused number as it is typed, with the server's words.
            "number_rules": {
                "amount_max": f"{MAX_AMOUNT:f}",
                "amount_decimals": MAX_DECIMALS,
                "amount": amount_messages(),
                "percent": rate_messages(),
                "points": points_messages(),
                "points_max": f"{POINTS_MAX:f}",
            },
        }


@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk):
    evaluation = access.evaluation_for_editing(request.user, pk)
    if request.method == "GET":
        # Opening the form is reading what the user was told about it; a save is not.
        notifications.mark_read(request.user, evaluation)
    if not evaluation.is_editable_state:
        messages.info(
            request,
            _("This form is %(state)s and cannot be changed now.")
            % {"state": evaluation.get_state_display()},
        )
        return redirect("evaluation_detail", evaluation.pk)
    page = EditPage(evaluation, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if page.is_valid():
            try:
                page.save(request.user)
            except content.EditRefused as refusal:
                page.refusal = str(refusal)
                status = 409
            else:
                messages.success(request, _("Draft saved."))
                return redirect("evaluation_edit", evaluation.pk)
        else:
            status = 400
    return render(request, "evaluations/edit.html", page.context(), status=status)
