"""The reviewer's decision (审核通过 or 退回修改 with 审核意见 and pinned comments) and the
administrator's reopening."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.texts import LONG_TEXT, MultiLineFormField
from evaluations.models import Evaluation
from evaluations.workflow import Pin


def _textarea(rows):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class ReviewForm(forms.Form):
    """A reviewer's decision: one of the steps the reviewer may take now (evaluations/steps.py),
    with a comment and, for a return, comments pinned to places of the form."""

    decision = forms.ChoiceField()
    comment = MultiLineFormField(
        label=_("Reviewer’s comment"), required=False, max_length=LONG_TEXT, widget=_textarea(3)
    )

    def __init__(self, *args, targets, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.decisions = decisions
        self.fields["decision"].choices = [(step.name, step.label) for step in decisions]
        for target in targets:
            self.fields[self.pin_field(target)] = MultiLineFormField(
                label=target.label, required=False, max_length=LONG_TEXT, widget=_textarea(2)
            )

    @staticmethod
    def pin_field(target):
        return f"pin-{target.key}"

    def pin_sections(self):
        """The pin fields under their headings, in the order of the form."""
        sections = []
        for target in self.targets:
            if not sections or sections[-1][0] != target.heading:
                sections.append((target.heading, []))
            sections[-1][1].append(self[self.pin_field(target)])
        return sections

    def pins(self):
        return [
            Pin(target, self.cleaned_data[self.pin_field(target)])
            for target in self.targets
            if self.cleaned_data.get(self.pin_field(target), "").strip()
        ]

    def clean(self):
        cleaned = super().clean()
        step = next((s for s in self.decisions if s.name == cleaned.get("decision")), None)
        if step is None:
            return cleaned
        if step.needs_comment and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what the department should change."))
        if step.target != Evaluation.State.RETURNED and self.pins():
            self.add_error(
                None,
                _("Comments pinned to rows go with returning the form. Clear them to approve it."),
            )
        return cleaned


class ReopenForm(forms.Form):
    reason = MultiLineFormField(label=_("Reason"), max_length=LONG_TEXT, widget=_textarea(3))
