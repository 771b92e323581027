from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.texts import (
    CELL_TEXT,
    LONG_TEXT,
    SHORT_TEXT,
    MultiLineField,
    OneLineField,
    text_constraints,
)
from departments.models import Department, FinanceBureau
from reports import classes

# 万元 with six decimals holds 分; fourteen digits hold up to 一亿万元 (a trillion 元).
MONEY = {"max_digits": 14, "decimal_places": 6}
# A form's totals over its fund sources, and its execution rate in percent: as large as a few
# of the largest amounts, and as large as the largest amount over the smallest.
TOTAL = {"max_digits": 16, "decimal_places": 6}
RATE = {"max_digits": 20, "decimal_places": 2}
HUNDRED = Decimal(100)
# A pinned comment keeps the row's name as the reviewer saw it, on one line and cut to this.
PIN_LABEL = 300
UNIT_TEXT = 50
# A weight or a score: a form's points add up to 100, a lone row never beyond this.
POINTS_MAX = Decimal(1000)


class Edition(models.Model):
    """One official version of the form: the fund sources it lists and its indicator taxonomy.

    Sources and taxonomy are rows, not columns, so that an older or newer official layout
    (other fund sources, the pre-2021 taxonomy) is data an administrator adds.
    """

    name = OneLineField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("form edition")
        verbose_name_plural = _("form editions")
        constraints = text_constraints("edition", one_line=["name"])

    def __str__(self):
        return self.name

    def level1(self):
        return self.categories.filter(parent__isnull=True)

    def level2(self):
        return (
            self.categories.filter(parent__isnull=False)
            .select_related("parent")
            .order_by("parent__position", "position", "id")
        )

    @cached_property
    def taxonomy(self):
        """level2() read once for this edition's object: the edit page and the save it makes
        (which share the object through the form's year settings) each ask for it."""
        return list(self.level2())


class FundSource(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="fund_sources")
    name = OneLineField(_("name"), max_length=50)
    aliases = MultiLineField(
        _("aliases"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("Other labels real files use for this one, one per line."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["edition", "position", "id"]
        verbose_name = _("fund source")
        verbose_name_plural = _("fund sources")
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="fund_source_unique_name"),
            *text_constraints("fund_source", one_line=["name"], multi_line={"aliases": LONG_TEXT}),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class IndicatorCategory(models.Model):
    """A 一级指标 (no parent) or a 二级指标 (under its 一级)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("一级指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = OneLineField(_("name"), max_length=50)
    aliases = MultiLineField(
        _("aliases"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("Other labels real files use for this one, one per line."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["edition", "position", "id"]
        verbose_name = _("indicator category")
        verbose_name_plural = _("indicator categories")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "parent", "name"], name="category_unique_under_parent"
            ),
            models.UniqueConstraint(
                fields=["edition", "name"],
                condition=Q(parent__isnull=True),
                name="top_category_unique_name",
            ),
            *text_constraints("category", one_line=["name"], multi_line={"aliases": LONG_TEXT}),
        ]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} / {self.name}"
        return self.name

    def name_path(self):
        return (self.parent.name, self.name) if self.parent_id else (self.name,)

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


def layout_choices():
    # The registry imports the scoring rules, which import this module.
    from evaluations import layouts

    return layouts.choices()


def pin_section_choices():
    # The report's outline imports the report's model, which imports this module.
    from reports import pins

    return pins.section_choices()


def step_choices():
    # The steps import this module.
    from evaluations import steps

    return [(step.name, step.label) for step in steps.STEPS]


class YearSettings(models.Model):
    """What a year asks of the forms filed in it: the layout they are printed in, the edition
    (fund sources and taxonomy), the scoring rules, the deadline and the checks' settings."""

    layout = models.CharField(
        _("layout"), max_length=32, choices=layout_choices, default="panzhihua"
    )
    edition = models.ForeignKey(
        Edition, verbose_name=_("form edition"), on_delete=models.PROTECT, related_name="+"
    )
    rules = models.JSONField(
        _("scoring rules"),
        default=dict,
        blank=True,
        help_text=_(
            "Settings that differ from the layout's rules, for example "
            '{"score_tolerance": "1", "caps": [["0.6", "69"]]}; empty keeps the layout\'s.'
        ),
    )
    deadline = models.DateField(_("submission deadline"), null=True, blank=True)
    supervisor_stage = models.BooleanField(
        _("主管部门 review first"),
        default=False,
        help_text=_(
            "Forms of a 二级单位 go to its 主管部门 before the finance bureau; forms of a "
            "department without a parent go to the finance bureau directly."
        ),
    )
    execution_threshold = models.DecimalField(
        _("execution rate threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(90),
        help_text=_("Flag forms executed below this rate while every indicator shows 100%."),
    )
    project_classes = models.CharField(
        _("project classes of the department's report"),
        max_length=16,
        choices=classes.scheme_choices,
        default=classes.DEFAULT_SCHEME,
        help_text=_("How the department's report groups its projects; each form names its class."),
    )
    required_categories = models.ManyToManyField(
        IndicatorCategory,
        verbose_name=_("required 一级指标"),
        blank=True,
        related_name="+",
        limit_choices_to={"parent__isnull": True},
        help_text=_("A form needs at least one indicator under each of these before submitting."),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(execution_threshold__gte=0, execution_threshold__lte=100),
                name="%(class)s_threshold_is_percentage",
            ),
            models.CheckConstraint(
                condition=Q(project_classes__in=list(classes.SCHEMES)),
                name="%(class)s_project_classes_known",
            ),
        ]

    @property
    def form_layout(self):
        from evaluations import layouts

        return layouts.get(self.layout)

    @property
    def scoring_rules(self):
        """The layout's scoring rules with this year's settings; None for a layout without
        scores."""
        base = self.form_layout.rules
        return None if base is None else base.with_settings(self.rules or {})


class Year(YearSettings):
    """A year forms are filed for; its settings hold for every bureau without its own."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)

    class Meta(YearSettings.Meta):
        ordering = ["-year"]
        verbose_name = _("year")
        verbose_name_plural = _("years")
        constraints = [
            *YearSettings.Meta.constraints,
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="year_in_range"
            ),
        ]

    def __str__(self):
        return str(self.year)


class BureauYear(YearSettings):
    """A finance bureau's task for one year: its own layout, rules, deadline and required
    一级指标. Two bureaus may file the same year in different layouts."""

    bureau = models.ForeignKey(
        FinanceBureau,
        verbose_name=_("finance bureau"),
        on_delete=models.CASCADE,
        related_name="years",
    )
    year = models.ForeignKey(
        Year, verbose_name=_("year"), on_delete=models.CASCADE, related_name="bureau_years"
    )

    class Meta(YearSettings.Meta):
        ordering = ["-year", "bureau"]
        verbose_name = _("bureau's year")
        verbose_name_plural = _("bureaus' years")
        constraints = [
            *YearSettings.Meta.constraints,
            models.UniqueConstraint(fields=["bureau", "year"], name="one_setting_per_bureau_year"),
        ]

    def __str__(self):
        return f"{self.bureau} · {self.year_id}"

    @classmethod
    def settings_for(cls, bureau_id, year):
        """The bureau's own settings for the year, else the year's."""
        own = cls.objects.filter(bureau_id=bureau_id, year=year).select_related("edition").first()
        return own or year


class SettingsCache:
    """Year settings of many forms, each bureau's year looked up once (exports, lists)."""

    def __init__(self):
        self._found = {}

    def attach(self, evaluation):
        key = (evaluation.project.department.bureau_id, evaluation.year_id)
        if key not in self._found:
            self._found[key] = BureauYear.settings_for(key[0], evaluation.year)
        evaluation.__dict__["year_settings"] = self._found[key]
        return evaluation


class Project(models.Model):
    class Kind(models.TextChoices):
        RECURRING = "recurring", _("Recurring")
        ONE_OFF = "one_off", _("One-off")

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="projects"
    )
    name = OneLineField(_("项目名称"), max_length=SHORT_TEXT)
    # The 一体化 system's project code, printed before the name in Sichuan's layout.
    code = OneLineField(_("项目编码"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.RECURRING)

    class Meta:
        ordering = ["department", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="project_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["recurring", "one_off"]), name="project_kind_known"
            ),
            *text_constraints("project", one_line=["name", "code"]),
        ]
        # The projects of a reviewer's departments, read from the index alone (access.py).
        indexes = [models.Index(fields=["department", "id"], name="project_department_id")]

    def __str__(self):
        return self.name


class UnderReview(models.Model):
    """What the workflow (evaluations/workflow.py) changes on whatever goes through review: a
    form, and a department's report (reports/models.py)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # With the 主管部门 of a 二级单位, before it goes to the finance bureau.
        SUPERVISOR = "supervisor", _("At the 主管部门")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    state = models.CharField(
        _("state"), max_length=16, choices=State, default=State.DRAFT, editable=False
    )
    # Bumped on every save; an edit based on an older version is refused, never merged.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    # When the 主管部门 passed it on to the finance bureau (cleared by a return).
    passed_at = models.DateTimeField(_("passed on at"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    # Review flags of the last submission, kept so that the review queue sorts and filters by
    # them; None until first submitted.
    flag_count = models.PositiveSmallIntegerField(
        _("review flags"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_editable_state(self):
        return self.state in (self.State.DRAFT, self.State.RETURNED)


def review_constraints(name):
    """The states' rules in the database, named after the model (`name`)."""
    return [
        models.CheckConstraint(
            condition=Q(state__in=["draft", "supervisor", "submitted", "approved", "returned"]),
            name=f"{name}_state_known",
        ),
        models.CheckConstraint(
            condition=~Q(state="draft") | Q(submitted_at__isnull=True),
            name=f"{name}_draft_not_submitted",
        ),
        models.CheckConstraint(
            condition=Q(state="approved") | Q(approved_at__isnull=True),
            name=f"{name}_approved_at_only_when_approved",
        ),
    ]


class Evaluation(UnderReview):
    """One 部门预算项目支出绩效自评表: one project in one year."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.ForeignKey(
        Year, verbose_name=_("year"), on_delete=models.PROTECT, related_name="evaluations"
    )
    supervising_unit = OneLineField(_("项目主管单位"), max_length=SHORT_TEXT)
    implementing_unit = OneLineField(_("项目实施单位"), max_length=SHORT_TEXT, blank=True)
    goal = MultiLineField(_("年度设定目标"), max_length=LONG_TEXT, blank=True)
    achieved = MultiLineField(_("实际完成情况"), max_length=LONG_TEXT, blank=True)
    # Texts some layouts print and others do not; blank where the form's layout has no place.
    process_summary = MultiLineField(_("项目实施内容及过程概述"), max_length=LONG_TEXT, blank=True)
    execution_reason = MultiLineField(_("预算执行率原因"), max_length=LONG_TEXT, blank=True)
    conclusion = MultiLineField(_("评价结论"), max_length=LONG_TEXT, blank=True)
    problems = MultiLineField(_("存在问题"), max_length=LONG_TEXT, blank=True)
    improvements = MultiLineField(_("改进措施"), max_length=LONG_TEXT, blank=True)
    project_leader = OneLineField(_("项目负责人"), max_length=SHORT_TEXT, blank=True)
    finance_leader = OneLineField(_("财务负责人"), max_length=SHORT_TEXT, blank=True)
    # Facts of the project's year the department's report counts (reports/figures.py); outside
    # the official table, so no layout prints them and no workbook carries them.
    project_class = models.CharField(
        _("project class"), max_length=16, choices=classes.class_choices, blank=True
    )
    pre_assessment = models.BooleanField(_("事前绩效评估"), default=False)
    has_targets = models.BooleanField(_("绩效目标"), default=False)
    monitored = models.BooleanField(_("绩效监控"), default=False)
    # The fund lines' totals and execution rate (evaluations/money.py), stored by content.save
    # beside the lines, so that lists count, bucket and sort forms by them from this table and
    # its indexes instead of summing every form's lines. None as money.total and money.rate say.
    budget_total = models.DecimalField(
        _("全年预算数合计"), null=True, blank=True, editable=False, **TOTAL
    )
    actual_total = models.DecimalField(
        _("实际完成数合计"), null=True, blank=True, editable=False, **TOTAL
    )
    execution_rate = models.DecimalField(_("执行率"), null=True, blank=True, editable=False, **RATE)

    class Meta:
        ordering = ["-year", "project__department", "project__name"]
        verbose_name = _("self-evaluation form")
        verbose_name_plural = _("self-evaluation forms")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="one_form_per_project_year"),
            *review_constraints("evaluation"),
            models.CheckConstraint(
                condition=Q(
                    project_class__in=[classes.UNCLASSIFIED]
                    + [key for key, _label in classes.class_choices()]
                ),
                name="evaluation_project_class_known",
            ),
            models.CheckConstraint(
                condition=Q(budget_total__gte=0) & Q(actual_total__gte=0),
                name="fund_totals_not_negative",
            ),
            models.CheckConstraint(
                # A comparison with NULL passes a check: each value is asked to be there.
                condition=Q(execution_rate__isnull=True)
                | Q(
                    budget_total__isnull=False,
                    budget_total__gt=0,
                    actual_total__isnull=False,
                    execution_rate__gte=0,
                ),
                name="execution_rate_needs_budget",
            ),
            *text_constraints(
                "evaluation",
                one_line=[
                    "supervising_unit",
                    "implementing_unit",
                    "project_leader",
                    "finance_leader",
                ],
                multi_line=dict.fromkeys(
                    [
                        "goal",
                        "achieved",
                        "process_summary",
                        "execution_reason",
                        "conclusion",
                        "problems",
                        "improvements",
                    ],
                    LONG_TEXT,
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "state"]),
            models.Index(fields=["year", "submitted_at"], name="evaluation_year_submitted"),
            # Covers the review queue's counts per state and its overdue departments.
            models.Index(fields=["year", "state", "project"], name="evaluation_year_state_project"),
            # The queue sorted by execution rate walks this and stops at the page.
            models.Index(
                fields=["year", "state", "execution_rate", "id"], name="evaluation_year_state_rate"
            ),
        ]

    def __str__(self):
        return f"{self.project.name}（{self.year_id}）"

    @property
    def department(self):
        return self.project.department

    @property
    def department_id(self):
        # What the workflow asks of anything under review (evaluations/subjects.py).
        return self.project.department_id

    def fetch_content(self):
        """Fetch at once what a form's page reads several times: its fund lines, its rows with
        their categories and its edition's fund sources. Saving the form clears them again
        (content.save refreshes it).

        The rows' categories are those of the edition's taxonomy, which the page reads anyway,
        rather than two more objects per row joined in."""
        edition = self.year_settings.edition
        models.prefetch_related_objects([self], "fund_lines", "indicators")
        models.prefetch_related_objects([edition], "fund_sources")
        categories = {category.pk: category for category in edition.taxonomy}
        rows = self.indicators.all()
        others = {row.category_id for row in rows} - categories.keys()
        if others:
            # Rows filed under another edition's taxonomy than the year's now.
            found = IndicatorCategory.objects.select_related("parent").in_bulk(others)
            categories.update(found)
        for row in rows:
            row.category = categories[row.category_id]
        return self

    def forget_content(self):
        """Drop what fetch_content fetched, once the form may have changed since."""
        self._prefetched_objects_cache = {}

    def rows_with_categories(self):
        """Its indicator rows with their categories: those fetch_content fetched, if it did."""
        if "indicators" in getattr(self, "_prefetched_objects_cache", {}):
            return self.indicators.all()
        return self.indicators.select_related("category__parent")

    @cached_property
    def year_settings(self):
        """Layout, edition, rules and deadline of this form's year for its finance bureau."""
        return BureauYear.settings_for(self.project.department.bureau_id, self.year)

    @property
    def form_layout(self):
        return self.year_settings.form_layout


class FundLine(models.Model):
    """Budget and actual of one fund source, in 万元. Blank means no money from that source."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="fund_lines")
    source = models.ForeignKey(FundSource, on_delete=models.PROTECT, related_name="+")
    # Blank in layouts that print no budget at the start of the year.
    initial_budget = models.DecimalField(_("年初预算数"), null=True, blank=True, **MONEY)
    # The budget after the year's adjustments, which the execution rate divides by: 全年预算数
    # in the national and Panzhihua layouts, 调整后预算数 in Sichuan's.
    budget = models.DecimalField(_("全年预算数"), null=True, blank=True, **MONEY)
    actual = models.DecimalField(_("实际完成数"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["source__position", "source_id"]
        verbose_name = _("fund line")
        verbose_name_plural = _("fund lines")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "source"], name="one_line_per_source"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="budget_not_negative"),
            models.CheckConstraint(
                condition=Q(initial_budget__gte=0), name="initial_budget_not_negative"
            ),
            models.CheckConstraint(condition=Q(actual__gte=0), name="actual_not_negative"),
        ]

    def __str__(self):
        return f"{self.source.name}: {self.budget} / {self.actual}"


class Indicator(models.Model):
    """A 三级指标 row, filed under its 二级指标 (whose parent is the 一级).

    The row is the indicator itself, not one year's figures of it: the targets declared with
    the budget and the values of mid-year monitoring can later hang off the same row.
    """

    class Nature(models.TextChoices):
        MORE = "≥", "≥"
        LESS = "≤", "≤"
        EQUAL = "=", "="
        QUALITATIVE = "定性", "定性"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="indicators")
    category = models.ForeignKey(
        IndicatorCategory, verbose_name=_("二级指标"), on_delete=models.PROTECT, related_name="+"
    )
    name = MultiLineField(_("三级指标"), max_length=CELL_TEXT)
    nature = models.CharField(_("指标性质"), max_length=4, choices=Nature, blank=True)
    target = MultiLineField(_("年度设定指标值"), max_length=CELL_TEXT, blank=True)
    unit = OneLineField(_("度量单位"), max_length=UNIT_TEXT, blank=True)
    actual = MultiLineField(_("实际完成值"), max_length=CELL_TEXT, blank=True)
    completion_rate = models.DecimalField(
        _("完成率（%）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    weight = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, null=True, blank=True)
    # The score the department gives itself; what the rules compute is shown beside it.
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    reason = MultiLineField(_("未完成原因和改进措施"), max_length=CELL_TEXT, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["category__parent__position", "category__position", "position", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_rate__gte=0) & Q(completion_rate__lte=10000),
                name="completion_rate_in_range",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=POINTS_MAX), name="weight_in_range"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=POINTS_MAX), name="score_in_range"
            ),
            models.CheckConstraint(
                condition=Q(nature__in=["", "≥", "≤", "=", "定性"]), name="indicator_nature_known"
            ),
            *text_constraints(
                "indicator",
                one_line=["unit"],
                multi_line=dict.fromkeys(["name", "target", "actual", "reason"], CELL_TEXT),
            ),
        ]
        indexes = [models.Index(fields=["evaluation", "position"])]

    def __str__(self):
        return self.name


class Transition(models.Model):
    """One change of the state of a form or of a department's report (evaluations/subjects.py):
    the history the department and the reviewers read. One table for both, so that the
    notifications, the dashboard's events and the history read every row the same way."""

    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions"
    )
    report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=16, choices=Evaluation.State)
    to_state = models.CharField(max_length=16, choices=Evaluation.State)
    # The step of evaluations/steps.py taken; blank on rows older than the declared steps.
    step = models.CharField(max_length=32, choices=step_choices, blank=True)
    comment = MultiLineField(_("comment"), max_length=LONG_TEXT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The form as submitted, so that a reviewer sees what changed between two submissions.
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_state=models.F("to_state")), name="transition_changes_state"
            ),
            models.CheckConstraint(
                condition=Q(evaluation__isnull=False, report__isnull=True)
                | Q(evaluation__isnull=True, report__isnull=False),
                name="transition_of_one_subject",
            ),
            *text_constraints("transition", multi_line={"comment": LONG_TEXT}),
        ]

    def __str__(self):
        return f"{self.subject}: {self.from_state} → {self.to_state}"

    @property
    def subject(self):
        """The form (or other thing under review, evaluations/subjects.py) it is about."""
        from evaluations import subjects

        return subjects.of_transition(self)[0]

    @property
    def subject_name(self):
        """What the dashboard calls it: `项目（2023）`, `部门…报告（2023）`."""
        from evaluations import subjects

        subject, kind = subjects.of_transition(self)
        return f"{kind.title(subject)}（{subject.year_id}）"

    @property
    def comment_label(self):
        """What the comment is called: an administrator reopening an approved form gives a
        reason, not a reviewer's comment (as its step declares)."""
        declared = self.declared_step
        return declared.comment_label if declared else _("Reviewer’s comment:")

    @property
    def declared_step(self):
        from evaluations import steps

        return steps.step_of(self)

    @property
    def level_label(self):
        """Who took the step, as the history names the level: unit, 主管部门, finance bureau."""
        from evaluations import steps

        declared = self.declared_step
        return steps.LEVELS[declared.level] if declared else ""


class PinnedComment(models.Model):
    """A reviewer's comment on one place of a returned form (a fund row, the goals or an
    indicator row) or report (a section of its outline). The department reads it beside that
    place on the edit page."""

    class Place(models.TextChoices):
        FUNDS = "funds", _("fund row")
        GOALS = "goals", _("goals")
        INDICATOR = "indicator", _("indicator row")
        SECTION = "section", _("section")

    transition = models.ForeignKey(Transition, on_delete=models.CASCADE, related_name="pins")
    place = models.CharField(_("place"), max_length=16, choices=Place)
    fund_source = models.ForeignKey(
        FundSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Emptied when the department deletes the row: the comment stays in the history.
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="pins"
    )
    # The key of a report's section in its outline: sections are declared, not rows.
    section = models.CharField(_("section"), max_length=64, choices=pin_section_choices, blank=True)
    # The place as the reviewer saw it, so the history still reads once the row is gone.
    label = OneLineField(_("row"), max_length=PIN_LABEL)
    comment = MultiLineField(_("comment"), max_length=LONG_TEXT)

    class Meta:
        ordering = ["transition", "id"]
        verbose_name = _("pinned comment")
        verbose_name_plural = _("pinned comments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        place="funds",
                        fund_source__isnull=False,
                        indicator__isnull=True,
                        section="",
                    )
                    | Q(place="goals", fund_source__isnull=True, indicator__isnull=True, section="")
                    | Q(place="indicator", fund_source__isnull=True, section="")
                    | Q(
                        place="section",
                        fund_source__isnull=True,
                        indicator__isnull=True,
                        section__gt="",
                    )
                ),
                name="pin_place_matches_target",
            ),
            models.CheckConstraint(condition=~Q(comment=""), name="pin_has_comment"),
            *text_constraints("pin", one_line=["label"], multi_line={"comment": LONG_TEXT}),
            models.UniqueConstraint(
                fields=["transition", "fund_source"],
                condition=Q(place="funds"),
                name="one_pin_per_fund_row",
            ),
            models.UniqueConstraint(
                fields=["transition"], condition=Q(place="goals"), name="one_pin_on_goals"
            ),
            models.UniqueConstraint(
                fields=["transition", "indicator"],
                condition=Q(indicator__isnull=False),
                name="one_pin_per_indicator",
            ),
            models.UniqueConstraint(
                fields=["transition", "section"],
                condition=Q(place="section"),
                name="one_pin_per_section",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.comment}"


class Notification(models.Model):
    """A state change told to one user: by e-mail, and on their dashboard until they dismiss it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    transition = models.ForeignKey(
        Transition, on_delete=models.CASCADE, related_name="notifications"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "transition"], name="notify_once"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.recipient} · {self.transition}"


class Sample(models.Model):
    """A finance bureau's 抽查复核 of a year: approved forms drawn at random for re-review.

    The draw is recorded (its seed and its rule), so that drawing again from the same forms
    with the same seed gives the same forms: the draw can be shown to have been fair.
    """

    bureau = models.ForeignKey(
        FinanceBureau, verbose_name=_("finance bureau"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.ForeignKey(
        Year, verbose_name=_("year"), on_delete=models.PROTECT, related_name="samples"
    )
    seed = models.BigIntegerField(_("seed of the draw"))
    # The rule of the draw: a percentage of the approved forms, or a number per department.
    percentage = models.DecimalField(
        _("percentage drawn"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    per_department = models.PositiveSmallIntegerField(
        _("forms drawn per department"), null=True, blank=True
    )
    # How many approved forms there were to draw from, as the draw saw them.
    candidates = models.PositiveIntegerField(_("approved forms drawn from"), default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    # Issued (下发): the departments see which of their forms are sampled, and results go in.
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sample for re-review")
        verbose_name_plural = _("samples for re-review")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year"], name="one_sample_per_bureau_year"),
            models.CheckConstraint(
                condition=(
                    Q(percentage__isnull=False, per_department__isnull=True)
                    | Q(percentage__isnull=True, per_department__isnull=False)
                ),
                name="sample_has_one_rule",
            ),
            models.CheckConstraint(
                condition=Q(percentage__gt=0, percentage__lte=100) | Q(percentage__isnull=True),
                name="sample_percentage_in_range",
            ),
            models.CheckConstraint(
                condition=Q(per_department__gt=0) | Q(per_department__isnull=True),
                name="sample_per_department_positive",
            ),
        ]

    def __str__(self):
        return f"{self.bureau} · {self.year_id}"

    @property
    def is_issued(self):
        return self.issued_at is not None


class SampledForm(models.Model):
    """One form of a sample, drawn or added by hand, with the re-review's result."""

    class Result(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        ADJUSTED = "adjusted", _("Confirmed with corrections")
        FAILED = "failed", _("Not confirmed")

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="forms")
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("form"), on_delete=models.CASCADE, related_name="samplings"
    )
    # False for a form the bureau added by hand after the draw.
    drawn = models.BooleanField(_("drawn"), default=True)
    result = models.CharField(_("re-review result"), max_length=16, choices=Result, blank=True)
    comment = MultiLineField(_("re-review comment"), max_length=LONG_TEXT, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("re-reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation__project__department__code", "evaluation__project__name"]
        verbose_name = _("sampled form")
        verbose_name_plural = _("sampled forms")
        constraints = [
            models.UniqueConstraint(fields=["sample", "evaluation"], name="sampled_once"),
            models.CheckConstraint(
                condition=Q(result__in=["", "confirmed", "adjusted", "failed"]),
                name="sampled_result_known",
            ),
            models.CheckConstraint(
                condition=Q(result="") | Q(reviewed_at__isnull=False),
                name="sampled_result_has_time",
            ),
            *text_constraints("sampled", multi_line={"comment": LONG_TEXT}),
        ]

    def __str__(self):
        return f"{self.sample} · {self.evaluation}"
