"""What a form says, as one value, and the one function that saves it.

`Content` holds everything a department writes into a form: the project's name and code, the
form's texts, one `FundValues` per fund source, the indicator `Row`s in order, and the facts
the department's report counts (`Facts`: the project's class, 事前绩效评估, 绩效目标, 绩效监控),
which no layout prints and no workbook carries. The edit page, the import, copying last year's
form and the demo all build a Content and call `save`; the submission snapshot is
`of(evaluation).as_data()`. Only `save` writes a form's content.

Rows keep their identity: a row given with the id of one of the form's rows updates that row, a
row without id takes over the form's row with the same 一级, 二级 and 三级 name (so that an
import, which knows no ids, keeps the rows that pinned comments point to), and rows that are not
given are deleted.

State changes are not made here; they belong to evaluations/workflow.py.
"""

from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from config.texts import multi_line, one_line
from evaluations import money
from evaluations.layouts.declaration import FORM_TEXTS, FUND_VALUES, ONE_LINE_TEXTS
from evaluations.models import Evaluation, FundLine, Indicator, Project, SettingsCache
from reports import classes


class EditRefused(Exception):
    """The save cannot go through; the message says why, in the user's language."""


class StaleEdit(EditRefused):
    pass


@dataclass
class FundValues:
    """One fund source's amounts in 万元 (None: no money from that source)."""

    source: str
    initial_budget: Decimal | None = None
    budget: Decimal | None = None
    actual: Decimal | None = None


@dataclass
class Row:
    """One 三级指标 row; `id` is the form's row it updates, None for a new one."""

    level1: str
    level2: str
    name: str = ""
    nature: str = ""
    target: str = ""
    unit: str = ""
    actual: str = ""
    weight: Decimal | None = None
    score: Decimal | None = None
    completion_rate: Decimal | None = None
    reason: str = ""
    id: int | None = None

    @property
    def place(self):
        return (self.level1, self.level2, self.name)


@dataclass
class Facts:
    """The form's facts for the department's report (reports/figures.py)."""

    project_class: str = ""
    pre_assessment: bool = False
    has_targets: bool = False
    monitored: bool = False


FACTS = tuple(item.name for item in fields(Facts))
ROW_TEXTS = ("name", "nature", "target", "unit", "actual", "reason")
ROW_NUMBERS = ("weight", "score", "completion_rate")


@dataclass
class Content:
    project: str = ""
    project_code: str = ""
    texts: dict = field(default_factory=dict)
    funds: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)

    def text(self, name):
        if name == "project":
            return self.project
        if name == "project_code":
            return self.project_code
        return self.texts.get(name, "")

    def fund(self, source_name):
        return next((line for line in self.funds if line.source == source_name), None)

    def as_data(self):
        """Plain JSON-ready data: amounts and numbers as text, nothing lost to floats."""
        return {
            "project": self.project,
            "project_code": self.project_code,
            **{name: self.texts.get(name, "") for name in FORM_TEXTS},
            "funds": [
                {
                    "source": line.source,
                    **{name: _text(getattr(line, name)) for name in FUND_VALUES},
                }
                for line in self.funds
            ],
            "indicators": [
                {
                    **{name: value for name, value in asdict(row).items() if name != "id"},
                    **{name: _text(getattr(row, name)) for name in ROW_NUMBERS},
                    "id": row.id,
                }
                for row in self.indicators
            ],
            **asdict(self.facts),
        }

    @classmethod
    def from_data(cls, data):
        """The value `as_data` wrote, or the same shape from a file (the demo's seed, a parsed
        workbook); missing keys are blank."""
        row_names = {item.name for item in fields(Row)}
        return cls(
            project=data.get("project") or "",
            project_code=data.get("project_code") or "",
            texts={name: data.get(name) or "" for name in FORM_TEXTS},
            funds=[
                FundValues(
                    line["source"], **{name: _decimal(line.get(name)) for name in FUND_VALUES}
                )
                for line in data.get("funds", [])
            ],
            indicators=[
                Row(
                    **{
                        name: (_decimal(value) if name in ROW_NUMBERS else value)
                        for name, value in row.items()
                        if name in row_names
                    }
                )
                for row in data.get("indicators", [])
            ],
            facts=Facts(
                project_class=data.get("project_class") or "",
                **{name: bool(data.get(name)) for name in FACTS if name != "project_class"},
            ),
        )

    def planned(self):
        """The plan of this content for the next year: units, goal, indicator names, natures,
        targets, units and weights; no money, results, scores or reasons."""
        keep = ("supervising_unit", "implementing_unit", "goal", "project_leader", "finance_leader")
        return Content(
            project=self.project,
            project_code=self.project_code,
            texts={name: self.texts.get(name, "") for name in keep},
            funds=[],
            indicators=[
                Row(
                    row.level1,
                    row.level2,
                    name=row.name,
                    nature=row.nature,
                    target=row.target,
                    unit=row.unit,
                    weight=row.weight,
                )
                for row in self.indicators
            ],
            facts=Facts(project_class=self.facts.project_class),
        )


def _text(value):
    return None if value is None else f"{Decimal(value).normalize():f}"


def _decimal(value):
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def of(evaluation, sources=None):
    """The form's content as it is saved. `sources`: its edition's fund sources, where the
    caller has them loaded (an export of many forms); rows already fetched with their
    categories (prefetched) are used as they are."""
    lines = {line.source_id: line for line in evaluation.fund_lines.all()}
    if "indicators" in getattr(evaluation, "_prefetched_objects_cache", {}):
        rows = evaluation.indicators.all()
    else:
        rows = evaluation.indicators.select_related("category__parent")
    rows = sorted(
        rows,
        key=lambda row: (
            row.category.parent.position,
            row.category.position,
            row.position,
            row.pk,
        ),
    )
    if sources is None:
        sources = evaluation.year_settings.edition.fund_sources.all()
    return Content(
        project=evaluation.project.name,
        project_code=evaluation.project.code,
        texts={name: getattr(evaluation, name) for name in FORM_TEXTS},
        funds=[
            FundValues(
                source.name,
                **{name: getattr(lines.get(source.pk), name, None) for name in FUND_VALUES},
            )
            for source in sources
        ],
        indicators=[
            Row(
                row.category.parent.name,
                row.category.name,
                id=row.pk,
                **{name: getattr(row, name) for name in (*ROW_TEXTS, *ROW_NUMBERS)},
            )
            for row in rows
        ],
        facts=Facts(**{name: getattr(evaluation, name) for name in FACTS}),
    )


def shown_over(base, shown, layout):
    """`base` (a form's saved content) with what `shown` says in every value `layout` shows:
    a workbook or a page in one layout leaves the values of other layouts as they were (the
    project's code, a text, a row's 分值), and keeps the ids of the rows it names."""
    merged = replace(
        base,
        project=shown.project,
        project_code=shown.project_code if layout.has("project_code") else base.project_code,
        texts={
            **base.texts,
            **{
                item.name: shown.texts.get(item.name, "")
                for item in layout.fields
                if item.name in FORM_TEXTS
            },
        },
    )
    columns = [column.name for column in layout.funds.entered]
    lines = {line.source: line for line in base.funds}
    merged.funds = []
    for line in shown.funds:
        kept = lines.get(line.source) or FundValues(line.source)
        merged.funds.append(replace(kept, **{name: getattr(line, name) for name in columns}))
    row_columns = [name for name in layout.row_columns if name not in ("level1", "level2")]
    unused = list(base.indicators)
    merged.indicators = []
    for row in shown.indicators:
        twin = next((saved for saved in unused if saved.place == row.place), None)
        if twin is None:
            merged.indicators.append(row)
            continue
        unused.remove(twin)
        merged.indicators.append(
            replace(twin, **{name: getattr(row, name) for name in row_columns})
        )
    return merged


def cleaned(content):
    """The content with every text cleaned as the edit page cleans it."""

    def clean(name, value):
        return one_line(value) if name in ONE_LINE_TEXTS else multi_line(value)

    return replace(
        content,
        project=one_line(content.project),
        project_code=one_line(content.project_code),
        texts={name: clean(name, content.texts.get(name, "")) for name in FORM_TEXTS},
        indicators=[
            replace(
                row,
                **{
                    name: (one_line if name in ("unit", "nature") else multi_line)(
                        getattr(row, name)
                    )
                    for name in ROW_TEXTS
                },
            )
            for row in content.indicators
        ],
    )


def save(evaluation, content, user, *, version=None):
    """Write `content` into the form, or into a new one when `evaluation` is not saved yet.

    With `version` (the version the user's page was opened at), a form saved by someone else
    since is refused (StaleEdit) rather than overwritten. A form that is not a draft or returned
    is refused. The project is renamed (and its code changed) unless a form of another year was
    filed under its current name. Returns the saved evaluation, with its new version.
    """
    (saved,) = save_many([Edit(evaluation, content, version)], user)
    if saved is evaluation:
        return evaluation
    evaluation.refresh_from_db()
    evaluation.__dict__.pop("year_settings", None)
    return evaluation


@dataclass
class Edit:
    """One form for `save_many`: `evaluation` not saved yet for a new form (of a saved
    project), `version` as `save` takes it."""

    evaluation: Evaluation
    content: Content
    version: int | None = None


def save_many(edits, user):
    """Save each Edit as `save` saves one, all or none, in a number of queries that does not
    grow with the forms (an import of a whole workbook): the forms are locked in one query, and
    their texts, fund lines and rows written in bulk. Returns the saved forms in the order
    given: a new one as given, the others as they were locked and written, with their new
    versions."""
    try:
        with transaction.atomic():
            edits = [replace(edit, content=cleaned(edit.content)) for edit in edits]
            return _save_many(edits, user)
    except IntegrityError:
        raise EditRefused(_("This department already has a project with this name.")) from None


# A form's stored totals (Evaluation.budget_total …), written with its fund lines only.
TOTALS = ("budget_total", "actual_total", "execution_rate")
# Rows per bulk_update: its statement holds a CASE per column with a branch per row, which
# Django builds slowly; smaller statements keep that linear.
ROW_BATCH = 200


def set_totals(evaluation, lines):
    """Put the totals and the execution rate of these fund lines (all of the form's) on the
    form, as money.Funds computes them for its page."""
    evaluation.budget_total = money.total(line.budget for line in lines)
    evaluation.actual_total = money.total(line.actual for line in lines)
    evaluation.execution_rate = money.rate(evaluation.actual_total, evaluation.budget_total)


def _save_many(edits, user):
    known = [edit.evaluation.pk for edit in edits if edit.evaluation.pk is not None]
    locked = {}
    if known:
        # In the order of their ids, so that two saves of overlapping forms cannot deadlock.
        rows = (
            Evaluation.objects.select_for_update(of=("self",))
            .filter(pk__in=known)
            .select_related("project__department", "year__edition", "updated_by")
            .order_by("pk")
        )
        locked = {current.pk: current for current in rows}
    saved = {
        pk: {name: getattr(current, name) for name in FORM_FIELDS} for pk, current in locked.items()
    }
    settings = SettingsCache()
    forms = []
    for edit in edits:
        if edit.evaluation.pk is None:
            current = edit.evaluation
        else:
            current = locked[edit.evaluation.pk]
            if edit.version is not None and current.version != edit.version:
                raise StaleEdit(_stale_message(current))
            if not current.is_editable_state:
                raise EditRefused(
                    _("This form is %(state)s and cannot be changed now.")
                    % {"state": current.get_state_display()}
                )
        if "year_settings" not in current.__dict__:
            if "year_settings" in edit.evaluation.__dict__:
                # The settings the caller read the form by (the edit page's, an import's): their
                # edition's sources and taxonomy come with them, read already.
                current.__dict__["year_settings"] = edit.evaluation.year_settings
            else:
                settings.attach(current)
        forms.append(current)
    editions = _Editions()
    renamed = [
        _changed_project(current, edit.content) for current, edit in zip(forms, edits, strict=True)
    ]
    Project.objects.bulk_update([project for project in renamed if project], ["name", "code"])
    lines, saved_lines = _fund_lines(forms, edits, editions)
    _save_forms(forms, edits, user, saved)
    changed, fields = _changes(lines, saved_lines, FUND_VALUES)
    if changed:
        FundLine.objects.bulk_update(changed, fields, batch_size=ROW_BATCH)
    FundLine.objects.bulk_create([line for line in lines if not line.pk])
    _save_rows(forms, edits, editions)
    return forms


class _Editions:
    """Each edition's fund sources and categories, fetched once for all the forms saved."""

    def __init__(self):
        self._sources = {}
        self._categories = {}

    def sources(self, edition):
        if edition.pk not in self._sources:
            self._sources[edition.pk] = list(edition.fund_sources.all())
        return self._sources[edition.pk]

    def categories(self, edition):
        """{(一级, 二级): category} in taxonomy order."""
        if edition.pk not in self._categories:
            self._categories[edition.pk] = {
                category.name_path(): category for category in edition.taxonomy
            }
        return self._categories[edition.pk]


FORM_FIELDS = (*FORM_TEXTS, *FACTS, *TOTALS)


def _save_forms(forms, edits, user, saved):
    """Write the forms' texts and totals; `saved`: {pk: their values as locked}. Every saved
    form gets a new version, its editor and time in one UPDATE; only what changed goes
    through bulk_update."""
    now = timezone.now()
    created, updated = [], []
    for current, edit in zip(forms, edits, strict=True):
        for name in FORM_TEXTS:
            setattr(current, name, edit.content.texts.get(name, ""))
        _save_facts(current, edit.content.facts)
        current.updated_by = user
        (updated if current.pk else created).append(current)
    Evaluation.objects.bulk_create(created)
    if not updated:
        return
    changed, fields = _changes(updated, saved, FORM_FIELDS)
    if changed:
        Evaluation.objects.bulk_update(changed, fields, batch_size=ROW_BATCH)
    found = Evaluation.objects.filter(pk__in=[current.pk for current in updated])
    found.update(version=F("version") + 1, updated_by=user, updated_at=now)
    # The forms are locked since their versions were read: each is one more now.
    for current in dict.fromkeys(updated):
        current.version += 1
        current.updated_at = now


def _save_facts(current, facts):
    known = {item.key for item in classes.scheme_of(current.year_settings).classes}
    if facts.project_class not in known | {classes.UNCLASSIFIED}:
        raise EditRefused(
            _("%(class)s is not a project class of this year.") % {"class": facts.project_class}
        )
    for name in FACTS:
        setattr(current, name, getattr(facts, name))


def _stale_message(current):
    editor = current.updated_by
    return _(
        "%(who)s saved this form while you were editing it. Your changes are still on "
        "this page but were not saved: open the form again in a new tab, compare, and "
        "enter your changes there."
    ) % {"who": (editor.get_full_name() or editor.username) if editor else _("Someone")}


def _changed_project(current, content):
    """The form's project renamed or given another code as the content says (None when it
    stays as it is); refused while a form of another year is filed under its name."""
    project = current.project
    changed = False
    if content.project and project.name != content.project:
        if project.pk:
            filed = filed_years(project, excluding=current, lock=True)
            if filed:
                raise EditRefused(rename_refusal(filed))
        project.name = content.project
        changed = True
    if project.code != content.project_code:
        project.code = content.project_code
        changed = True
    return project if changed and project.pk else None


def _fund_lines(forms, edits, editions):
    """Every form's fund lines as its content gives them, one per source of its edition (the
    saved ones changed, the missing ones made), with the form's totals set from them, and
    the saved lines' values as they were loaded."""
    saved = [current.pk for current in forms if current.pk is not None]
    existing, loaded = {}, {}
    if saved:
        for line in FundLine.objects.filter(evaluation__in=saved).order_by():
            existing[(line.evaluation_id, line.source_id)] = line
            loaded[line.pk] = {name: getattr(line, name) for name in FUND_VALUES}
    lines = []
    for current, edit in zip(forms, edits, strict=True):
        given = {line.source: line for line in edit.content.funds}
        mine = []
        for source in editions.sources(current.year_settings.edition):
            values = given.get(source.name) or FundValues(source.name)
            line = existing.get((current.pk, source.pk))
            if line is None:
                line = FundLine(evaluation=current, source=source)
            for name in FUND_VALUES:
                setattr(line, name, getattr(values, name))
            mine.append(line)
        set_totals(current, mine)
        lines += mine
    return lines, loaded


ROW_FIELDS = ("category_id", *ROW_TEXTS, *ROW_NUMBERS, "position")


def _changes(instances, saved, names):
    """The saved instances whose values differ from `saved` ({pk: values as loaded}), and the
    names of the fields that differ in any of them. bulk_update's statement grows with every
    row and field it writes, and costs far more to build than to run: what is as it was is left
    out (an import of a workbook downloaded and sent back changes little)."""
    changed, fields = [], set()
    for instance in instances:
        if instance.pk is None:
            continue
        before = saved[instance.pk]
        differ = {name for name in names if getattr(instance, name) != before[name]}
        if differ:
            changed.append(instance)
            fields |= differ
    return changed, sorted(fields)


def _save_rows(forms, edits, editions):
    existing, saved = {}, {}
    for row in Indicator.objects.filter(evaluation__in=[current.pk for current in forms]):
        existing.setdefault(row.evaluation_id, {})[row.pk] = row
        saved[row.pk] = {name: getattr(row, name) for name in ROW_FIELDS}
    kept, gone = [], []
    for current, edit in zip(forms, edits, strict=True):
        categories = editions.categories(current.year_settings.edition)
        mine = existing.get(current.pk, {})
        rows = _rows(current, categories, edit.content.indicators, mine)
        gone += set(mine) - {row.pk for row in rows if row.pk}
        kept += rows
    Indicator.objects.filter(pk__in=gone).delete()
    changed, fields = _changes(kept, saved, ROW_FIELDS)
    if changed:
        Indicator.objects.bulk_update(changed, fields, batch_size=ROW_BATCH)
    Indicator.objects.bulk_create([row for row in kept if not row.pk], batch_size=ROW_BATCH)


def _rows(evaluation, categories, rows, existing):
    """The form's Indicator instances for `rows`, in order and numbered: the saved rows
    (`existing`, by id) they name or take over, new ones for the others."""
    paths = {category.pk: path for path, category in categories.items()}
    by_place = {}
    for row in existing.values():
        by_place.setdefault((paths.get(row.category_id), row.name), []).append(row)
    taken = set()
    # Rows with their id first, so that one without cannot take a row another one names.
    for row in rows:
        if row.id is not None and row.id in existing:
            taken.add(row.id)
    kept = []
    for row in rows:
        category = categories.get((row.level1, row.level2))
        if category is None:
            edition = evaluation.year_settings.edition
            raise ValueError(f"{row.level1} / {row.level2} is not a category of {edition}")
        instance = existing.get(row.id) if row.id is not None else None
        if instance is None:
            twins = by_place.get(((row.level1, row.level2), row.name), [])
            instance = next((twin for twin in twins if twin.pk not in taken), None)
            if instance is None:
                instance = Indicator(evaluation=evaluation)
            else:
                taken.add(instance.pk)
        instance.category = category
        for name in (*ROW_TEXTS, *ROW_NUMBERS):
            setattr(instance, name, getattr(row, name))
        kept.append(instance)
    # Taxonomy order, and within a 二级 the order given; positions stay small and unique.
    order = {category.pk: index for index, category in enumerate(categories.values())}
    kept = sorted(kept, key=lambda instance: order[instance.category.pk])
    for position, instance in enumerate(kept, start=1):
        instance.position = position
    return kept


def filed_years(project, excluding, lock=False):
    """Years whose form of this project is under review (at its 主管部门 or the finance bureau)
    or approved.

    Those forms were filed under the project's current name, which must then stay as it is.
    """
    others = project.evaluations.exclude(pk=excluding.pk)
    if lock:
        # Locks every other year's form, so that none is submitted while the name changes.
        others = others.select_for_update()
    filed = (Evaluation.State.SUPERVISOR, Evaluation.State.SUBMITTED, Evaluation.State.APPROVED)
    return sorted(year for year, state in others.values_list("year", "state") if state in filed)


def rename_refusal(years):
    return _(
        "The project name cannot change: this project's form for %(years)s is submitted or "
        "approved under its current name. To file this year's form under another name, start "
        "a new project."
    ) % {"years": ", ".join(str(year) for year in years)}


def new_project(department, name, kind=None):
    """The department's project of this name, made if it has none."""
    defaults = {"kind": kind} if kind else {}
    project, _created = Project.objects.get_or_create(
        department=department, name=one_line(name), defaults=defaults
    )
    return project
