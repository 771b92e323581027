from decimal import Decimal
from functools import cached_property

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.texts import SHORT_TEXT, MultiLineField, OneLineField, text_constraints
from departments.models import Department
from evaluations.models import BureauYear, Evaluation, UnderReview, Year, review_constraints
from reports import outline

# A section of the report: the seeds' longest (机构职能) has some 900 characters; a department
# quoting its whole 三定方案 should still fit.
SECTION_TEXT = 20000
SCORE_MAX = Decimal(100)


class Report(UnderReview):
    """One department's 部门预算绩效评价报告 for one year: its typed sections, its self-score and
    summary. Its figures are computed from the department's forms (reports/figures.py)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.ForeignKey(
        Year, verbose_name=_("year"), on_delete=models.PROTECT, related_name="reports"
    )
    self_score = models.DecimalField(
        _("绩效自评得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    summary = OneLineField(_("绩效自评综述"), max_length=SHORT_TEXT * 2, blank=True)

    class Meta:
        ordering = ["-year", "department"]
        verbose_name = _("department report")
        verbose_name_plural = _("department reports")
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="one_report_per_year"),
            *review_constraints("report"),
            models.CheckConstraint(
                condition=Q(self_score__gte=0, self_score__lte=SCORE_MAX)
                | Q(self_score__isnull=True),
                name="report_self_score_in_range",
            ),
            *text_constraints("report", one_line=["summary"]),
        ]
        indexes = [models.Index(fields=["year", "state"], name="report_year_state")]

    def __str__(self):
        return f"{self.department.name}（{self.year_id}）"

    @cached_property
    def year_settings(self):
        """The settings of the report's year for its department's finance bureau."""
        return BureauYear.settings_for(self.department.bureau_id, self.year)

    def forms(self):
        """The department's forms of the report's year: the projects the report sums up."""
        return Evaluation.objects.filter(project__department=self.department_id, year=self.year_id)

    def typed_texts(self):
        """{section key: text} of the sections the department has written."""
        return dict(self.sections.filter(text__isnull=False).values_list("key", "text"))


class ReportSection(models.Model):
    """The department's text of one section of the outline. A drafted section without a row (or
    with text NULL) follows the forms; a row with text is the department's edit of it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("section"), max_length=32, choices=outline.section_choices)
    text = MultiLineField(_("text"), max_length=SECTION_TEXT, null=True, blank=True)

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="one_text_per_section"),
            models.CheckConstraint(
                condition=Q(key__in=[key for key, _label in outline.section_choices()]),
                name="report_section_key_known",
            ),
            *text_constraints("report_section", multi_line={"text": SECTION_TEXT}),
        ]

    def __str__(self):
        return f"{self.report} · {self.key}"
