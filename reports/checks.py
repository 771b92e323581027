"""What a department report must have before it is submitted, and what a reviewer should look
at twice: `run(report)` gives both lists, as evaluations/checks.py does for a form.

Problems block submitting: a required narrative section left empty, the self-score or the
summary missing. Flags never block; the department sees them before submitting and the
reviewers with the report:

- a drafted section the department edited so that a figure contradicts the forms: each figure
  the sentence quotes (reports/drafting.py) is read back out of the edited text, per project
  class where the sentence is about one, and compared with the computed figure. A figure is
  compared as precisely as it is written: 57.2% agrees with 57.24%, 57.3% does not;
- text left over from the blank template;
- a year in a heading or a text (`2022年…报告`, `（2022年度）`) that is not the report's year;
- forms of the department for the year not yet approved, and forms without a project class;
- on scored layouts, a self-score more than SCORE_TOLERANCE points above the mean 总分 of the
  department's forms: the forms' scores do not support it.

Every finding names the section it is about (`anchor`: `section-<key>`, or a field of the edit
page), so that the list links there.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from evaluations.checks import Finding, Result
from evaluations.models import Evaluation
from evaluations.money import normalise_number_text
from reports import classes, drafting, outline
from reports import figures as report_figures

# Points a self-score may stand above the forms' mean 总分.
SCORE_TOLERANCE = Decimal(5)
TEMPLATE_DEBRIS = ("包括内部应用、自评公开、问题整改和应用反馈等情况。",)
# A year as a title or a heading names it: 2023年度, 2023年…报告 (within one clause).
_YEAR_NAMED = re.compile(r"((?:19|20)\d{2})\s*年(?:度|[^，。；\n]{0,30}报告)")


def anchor(key):
    return f"section-{key}"


def run(report):
    found = report_figures.of(report)
    texts = report.typed_texts()
    return Result(problems=_problems(report, texts), flags=_flags(report, texts, found))


def _problems(report, texts):
    problems = [
        Finding(
            "section_empty",
            _("%(section)s is empty.") % {"section": section.heading_for(report.year_id)},
            anchor(section.key),
        )
        for section in outline.SECTIONS
        if section.required and not (texts.get(section.key) or "").strip()
    ]
    if report.self_score is None:
        problems.append(
            Finding("self_score_missing", _("Enter the 绩效自评得分."), "id_self_score")
        )
    if not report.summary.strip():
        problems.append(Finding("summary_missing", _("Enter the 绩效自评综述."), "id_summary"))
    return problems


def _flags(report, texts, found):
    flags = []
    for key in drafting.SLOTS:
        if texts.get(key) is not None:
            flags += contradictions(key, texts[key], report, found)
    flags += _template_debris(report, texts)
    flags += _other_years(report, texts)
    flags += _unclassified(found)
    flags += _not_approved(report)
    flags += _unsupported_score(report, found)
    return flags


def section_name(key, year):
    section = outline.get(key)
    if section.heading:
        return section.heading_for(year)
    if key == "class_paragraphs":
        return _("The class paragraphs of （二）部门预算项目绩效分析")
    if key == "execution_counts":
        return _("The counts of 2.项目执行")
    return key


def contradictions(key, text, report, found):
    """The flags of the figures in `text` (the department's edit of drafted section `key`)
    that contradict the figures of the forms."""
    scope, slots = drafting.SLOTS[key]
    computed = drafting.values(key, report, found)
    parts = _class_parts(text, found) if scope == drafting.CLASS else [(drafting.WHOLE, text)]
    flags = []
    for subject, part in parts:
        expected = computed.get(subject, {})
        for slot in slots:
            match = slot.regex.search(part)
            if match is None or expected.get(slot.name) is None:
                continue
            typed = _number(match.group(1))
            if typed is None or _agrees(typed, expected[slot.name]):
                continue
            flags.append(
                Finding(
                    "figure_contradicts_forms",
                    _contradiction_message(key, report, found, subject, slot, typed, expected),
                    anchor(key),
                )
            )
    return flags


def _contradiction_message(key, report, found, subject, slot, typed, expected):
    value = expected[slot.name]
    shown = drafting.money(value) if slot.unit == "万元" else f"{value.normalize():f}"
    params = {
        "section": section_name(key, report.year_id),
        "figure": slot.label,
        "typed": f"{typed}{slot.unit}",
        "computed": f"{shown}{slot.unit}",
    }
    if subject is drafting.WHOLE:
        if slot is drafting.SELF_SCORE:
            return (
                _(
                    "%(section)s: the text says %(figure)s %(typed)s, but the report's "
                    "self-score is %(computed)s."
                )
                % params
            )
        return (
            _("%(section)s: the text says %(figure)s %(typed)s, but the forms give %(computed)s.")
            % params
        )
    params["class"] = found.of_class(subject).label
    return (
        _(
            "%(section)s, %(class)s: the text says %(figure)s %(typed)s, but the forms give "
            "%(computed)s."
        )
        % params
    )


def _class_parts(text, found):
    """[(class key, the text about it)]: each mention of a class's name starts its part."""
    names = {}
    for item in found.classes:
        declared = found.scheme.get(item.key)
        for name in declared.names if declared else (classes.UNCLASSIFIED_LABEL,):
            names[name] = item.key
    if not names:
        return []
    pattern = re.compile("|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)))
    starts = [mention.start() for mention in pattern.finditer(text)]
    ends = [*starts[1:], len(text)]
    return [
        (names[pattern.match(text, start).group(0)], text[start:end])
        for start, end in zip(starts, ends, strict=True)
    ]


def _number(written):
    cleaned = normalise_number_text(written).replace(",", "").replace("，", "").rstrip(".")
    try:
        return Decimal(cleaned)
    except ArithmeticError:
        return None


def _agrees(typed, computed):
    """Whether the typed figure is the computed one, as precisely as it is written."""
    places = max(0, -typed.as_tuple().exponent)
    return computed.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == typed


def _written(report, texts):
    """(anchor, where, text) of everything the department wrote into the report."""
    found = [
        (anchor(key), section_name(key, report.year_id), text)
        for key, text in texts.items()
        if key in outline.BY_KEY and text
    ]
    if report.summary:
        found.append(("id_summary", _("绩效自评综述"), report.summary))
    return found


def _template_debris(report, texts):
    return [
        Finding(
            "template_debris",
            _("%(section)s still holds the blank template's instruction “%(text)s”.")
            % {"section": where, "text": debris},
            place,
        )
        for place, where, text in _written(report, texts)
        for debris in TEMPLATE_DEBRIS
        if debris in text
    ]


def _other_years(report, texts):
    flags = []
    for place, where, text in _written(report, texts):
        for match in _YEAR_NAMED.finditer(text):
            if int(match.group(1)) != report.year_id:
                flags.append(
                    Finding(
                        "other_year",
                        _("%(section)s names “%(found)s”, but the report is for %(year)s.")
                        % {"section": where, "found": match.group(0), "year": report.year_id},
                        place,
                    )
                )
    return flags


def _unclassified(found):
    if not found.unclassified:
        return []
    return [
        Finding(
            "form_unclassified",
            _("%(count)d forms have no project class and count under 未分类: %(names)s.")
            % {
                "count": len(found.unclassified),
                "names": "、".join(item.name for item in found.unclassified),
            },
            anchor("class_table"),
        )
    ]


def _not_approved(report):
    waiting = list(
        report.forms()
        .exclude(state=Evaluation.State.APPROVED)
        .order_by("project__name")
        .values_list("project__name", flat=True)
    )
    if not waiting:
        return []
    return [
        Finding(
            "forms_not_approved",
            _("%(count)d forms of the year are not approved yet: %(names)s.")
            % {"count": len(waiting), "names": "、".join(waiting)},
            anchor("forms"),
        )
    ]


def _unsupported_score(report, found):
    if not found.scored or found.mean_score is None or report.self_score is None:
        return []
    if report.self_score <= found.mean_score + SCORE_TOLERANCE:
        return []
    return [
        Finding(
            "self_score_unsupported",
            _(
                "The 绩效自评得分 %(score)s is more than %(tolerance)s points above the mean "
                "score of the department's forms, %(mean)s."
            )
            % {
                "score": drafting.score(report.self_score),
                "tolerance": SCORE_TOLERANCE,
                "mean": found.mean_score,
            },
            "id_self_score",
        )
    ]
