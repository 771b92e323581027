"""The edit page's widgets written without the template engine write what Django's write."""

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe

from evaluations.widgets import DIRECT_RENDERER

WIDGETS = [
    (forms.TextInput(attrs={"maxlength": 200, "class": "form-control"}), '项目 <名称> & "引号"'),
    (forms.TextInput(attrs={"required": True, "disabled": False}), ""),
    (forms.TextInput(attrs={"data-x": mark_safe("&amp;")}), None),
    (forms.HiddenInput(), 3),
    (forms.HiddenInput(), None),
    (forms.CheckboxInput(attrs={"class": "form-check-input"}), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(attrs={"rows": 4}), "第一行\n第二行 <b>"),
    (forms.Textarea(), ""),
    (forms.Textarea(), "\n前面空一行"),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_a_widget_written_directly_is_what_its_template_writes(widget, value):
    attrs = {"id": "id_field", "aria-describedby": "id_field_error"}
    expected = widget.render("field", value, attrs=attrs, renderer=get_default_renderer())
    assert widget.render("field", value, attrs=attrs, renderer=DIRECT_RENDERER) == expected


def test_other_templates_are_rendered_as_django_renders_them():
    widget = forms.Select(choices=[("", "—"), ("a", "甲 & 乙")])
    expected = widget.render("field", "a", renderer=get_default_renderer())
    assert widget.render("field", "a", renderer=DIRECT_RENDERER) == expected
