"""The report as it prints: what its print view, its PDF and its Word document are made of.

The report's presenter (reports/presenter.py) says what each section reads; here its sections
are split into the report's body and the 附表, and each form of the 附表 gets its official
sheet (evaluations/official.py), fetched with everything it shows in a few queries.
"""

from dataclasses import dataclass

from evaluations import official
from evaluations.excel import writer
from evaluations.models import Evaluation, SettingsCache
from reports import presenter

# The outline's section that is the 附表: the forms follow it (reports/outline.py).
APPENDIX = "forms"


@dataclass(frozen=True)
class PrintedForm:
    evaluation: object
    sheet: object


@dataclass(frozen=True)
class PrintedReport:
    view: object
    title: str
    sections: tuple
    appendix: object
    forms: tuple

    @property
    def flags(self):
        return self.view.flags


def forms_in_order(evaluations):
    """The forms with their content fetched, in the order given (the 附表's)."""
    pks = [evaluation.pk for evaluation in evaluations]
    found = {
        evaluation.pk: evaluation
        for evaluation in writer.with_content(Evaluation.objects.filter(pk__in=pks))
    }
    cache = SettingsCache()
    ordered = []
    for pk in pks:
        evaluation = found[pk]
        cache.attach(evaluation)
        ordered.append(evaluation)
    return ordered


def of(report, view=None):
    view = view or presenter.build(report)
    return PrintedReport(
        view=view,
        title=view.full_title,
        sections=tuple(section for section in view.sections if section.key != APPENDIX),
        appendix=next((section for section in view.sections if section.key == APPENDIX), None),
        forms=tuple(
            PrintedForm(evaluation, official.sheet(evaluation))
            for evaluation in forms_in_order(view.forms)
        ),
    )


def context(printed):
    """What templates/publishing/report.html needs."""
    return {
        "report": printed.view.report,
        "title": printed.title,
        "sections": printed.sections,
        "appendix": printed.appendix,
        "forms": printed.forms,
    }
