"""What the report's page and its exports show, built once: `build(report)`.

A `ReportView` holds the title, the outline's sections in order (`SectionView`: heading, text as
it reads — typed, or drafted from the forms —, a computed `Table` with its cells ready to print,
the flags about the section), every finding of reports/checks.py, the figures, and the
department's forms of the year for the 附表, in the order of the project table (by class, then
by name). Exports render from this alone; nothing here is formatted for one medium.
"""

from dataclasses import dataclass

from reports import checks, drafting, outline
from reports import content as report_content
from reports import figures as report_figures

EMPTY = "—"


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple
    # Each row a tuple of cells as printed (text); `total` the 合计 row, or None.
    rows: tuple
    total: tuple | None = None
    # How many columns from the left hold names; the others hold figures.
    text_columns: int = 1


@dataclass(frozen=True)
class SectionView:
    section: outline.Section
    heading: str
    # What the section reads: the department's text, or the drafted one; "" when nothing.
    text: str
    # The text drafted from the forms (drafted sections), else None.
    drafted: str | None
    # Whether a drafted section holds the department's own text.
    edited: bool
    # Last year's text of a narrative section not written this year, offered as a start.
    last_year: str | None
    table: Table | None
    flags: tuple

    @property
    def key(self):
        return self.section.key

    @property
    def kind(self):
        return self.section.kind

    @property
    def level(self):
        return self.section.level

    @property
    def paragraphs(self):
        return [line for line in self.text.split("\n") if line.strip()]

    @property
    def anchor(self):
        return checks.anchor(self.key)


@dataclass(frozen=True)
class ReportView:
    report: object
    title: str
    department: str
    year: int
    sections: tuple
    problems: tuple
    flags: tuple
    figures: report_figures.Figures
    # The department's forms of the year (Evaluation), for the 附表.
    forms: tuple

    @property
    def full_title(self):
        """The title as the report prints it: the department, the year, the title."""
        return f"{self.department}{self.year}年度{self.title}"

    def section(self, key):
        return next(item for item in self.sections if item.key == key)


def build(report):
    found = report_figures.of(report)
    result = checks.run(report)
    texts = report.typed_texts()
    offered = report_content.last_year_texts(report)
    sections = []
    for section in outline.SECTIONS:
        drafted = drafting.draft(section.key, report, found) if section.is_drafted else None
        typed = texts.get(section.key)
        sections.append(
            SectionView(
                section=section,
                heading=section.heading_for(report.year_id),
                text=typed if typed is not None else (drafted or ""),
                drafted=drafted,
                edited=section.is_drafted and typed is not None,
                last_year=offered.get(section.key),
                table=TABLES[section.key](found) if section.is_computed else None,
                flags=tuple(
                    flag for flag in result.flags if flag.anchor == checks.anchor(section.key)
                ),
            )
        )
    return ReportView(
        report=report,
        title=outline.TITLE,
        department=report.department.name,
        year=report.year_id,
        sections=tuple(sections),
        problems=tuple(result.problems),
        flags=tuple(result.flags),
        figures=found,
        forms=tuple(item.evaluation for item in found.projects),
    )


def amount(value):
    return EMPTY if value is None else drafting.money(value)


def percent(value):
    return EMPTY if value is None else f"{value}"


def _class_row(item):
    return (
        item.label,
        str(item.count),
        amount(item.budget),
        amount(item.actual),
        percent(item.execution_rate),
        str(item.above_limit),
        str(item.below_limit),
    )


def class_table(found):
    return Table(
        caption=outline.CAPTIONS["class_table"],
        columns=(
            "项目类别",
            "项目数（个）",
            "预算总金额（万元）",
            "实际支出（万元）",
            "预算执行率（%）",
            "结余率大于10%（个）",
            "结余率小于10%（个）",
        ),
        rows=tuple(_class_row(item) for item in found.classes),
        total=_class_row(found.total),
    )


def project_table(found):
    return Table(
        caption=outline.CAPTIONS["project_table"],
        columns=(
            "项目名称",
            "项目类别",
            "全年预算数（万元）",
            "实际完成数（万元）",
            "执行率（%）",
            "结余率（%）",
            "最低完成率（%）",
            "最高完成率（%）",
        ),
        rows=tuple(
            (
                item.name,
                item.class_label,
                amount(item.budget),
                amount(item.actual),
                percent(item.execution_rate),
                percent(item.balance_rate),
                percent(item.lowest_completion),
                percent(item.highest_completion),
            )
            for item in found.projects
        ),
        text_columns=2,
        total=(
            "合计",
            "",
            amount(found.total.budget),
            amount(found.total.actual),
            percent(found.total.execution_rate),
            "",
            "",
            "",
        ),
    )


def forms_table(found):
    return Table(
        caption="",
        columns=("序号", "项目名称", "项目类别"),
        rows=tuple(
            (str(index), item.name, item.class_label)
            for index, item in enumerate(found.projects, start=1)
        ),
        text_columns=3,
    )


TABLES = {"class_table": class_table, "project_table": project_table, "forms": forms_table}
