"""The schemes of project classes a year may use for the department's report.

The 2023 accounts class projects by duration (常年项目 / 阶段（一次性）项目), the 2022 ones by
purpose (人员类 / 运转类 / 特定目标类). A year's setting names its scheme; a form names its class
in that scheme, and a form without one counts under 未分类 (and is flagged).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

UNCLASSIFIED = ""
UNCLASSIFIED_LABEL = "未分类"


@dataclass(frozen=True)
class ProjectClass:
    key: str
    # The official name, as the report's sentences print it.
    label: str
    # Other names a department writes for it in its own sentences (the seed's "阶段项目").
    aliases: tuple = ()

    @property
    def names(self):
        """Every name the class goes by, longest first (so that 阶段（一次性）项目 is matched
        before 阶段项目)."""
        return tuple(sorted({self.label, *self.aliases}, key=len, reverse=True))


@dataclass(frozen=True)
class Scheme:
    key: str
    label: object
    classes: tuple

    def get(self, key):
        return next((item for item in self.classes if item.key == key), None)


SCHEMES = {
    scheme.key: scheme
    for scheme in (
        Scheme(
            "duration",
            _("By duration: 常年项目 / 阶段（一次性）项目"),
            (
                ProjectClass("recurring", "常年项目"),
                ProjectClass("one_off", "阶段（一次性）项目", aliases=("阶段项目", "一次性项目")),
            ),
        ),
        Scheme(
            "purpose",
            _("By purpose: 人员类 / 运转类 / 特定目标类项目"),
            (
                ProjectClass("personnel", "人员类项目"),
                ProjectClass("operating", "运转类项目"),
                ProjectClass("specific", "特定目标类项目"),
            ),
        ),
    )
}
DEFAULT_SCHEME = "duration"


def scheme_choices():
    return [(scheme.key, scheme.label) for scheme in SCHEMES.values()]


def class_choices():
    """Every class of every scheme: the database column holds any, the form offers the year's."""
    return [(item.key, item.label) for scheme in SCHEMES.values() for item in scheme.classes]


def scheme_of(settings):
    """The scheme of a year's settings (Year or BureauYear)."""
    return SCHEMES.get(settings.project_classes) or SCHEMES[DEFAULT_SCHEME]


def official_labels():
    """The Chinese names of every class, which stay Chinese in every language."""
    return [UNCLASSIFIED_LABEL, *(name for _key, name in class_choices())] + [
        alias for scheme in SCHEMES.values() for item in scheme.classes for alias in item.aliases
    ]
