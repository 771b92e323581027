from django import forms
from django.utils.translation import gettext_lazy as _

from config.texts import MultiLineFormField, OneLineFormField
from evaluations.forms import BootstrapFields
from reports import checks, outline
from reports.models import SCORE_MAX, SECTION_TEXT, Report


def text_field_name(key):
    return f"text-{key}"


class ReportForm(BootstrapFields, forms.Form):
    """The report's edit page: a text per narrative or drafted section of the outline, the
    self-score and the summary, and the version the page was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    self_score = forms.DecimalField(
        label=_("绩效自评得分"),
        required=False,
        min_value=0,
        max_value=SCORE_MAX,
        max_digits=5,
        decimal_places=2,
    )
    summary = OneLineFormField(
        label=_("绩效自评综述"),
        required=False,
        max_length=Report._meta.get_field("summary").max_length,
    )

    def __init__(self, data=None, *, initial):
        super().__init__(data, initial=initial)
        for section in outline.SECTIONS:
            if section.has_text:
                self.fields[text_field_name(section.key)] = MultiLineFormField(
                    label=checks.section_name(section.key, None),
                    required=False,
                    max_length=SECTION_TEXT,
                    widget=forms.Textarea(attrs={"rows": 6 if section.is_typed else 4}),
                )
        self.style_fields()

    def texts(self):
        return {
            section.key: self.cleaned_data[text_field_name(section.key)]
            for section in outline.SECTIONS
            if section.has_text
        }
