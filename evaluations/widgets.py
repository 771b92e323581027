"""Widgets for the indicator rows, rendered without the template engine.

A 30-row form has over two hundred of them; through widget templates (and flatatt) they took
more than half of the edit page's server time. The HTML is what Django's own widgets write.
"""

from html import escape

from django import forms
from django.utils.safestring import mark_safe


def attributes(attrs):
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(f" {key}")
        elif value is not False and value is not None:
            parts.append(f' {key}="{escape(str(value))}"')
    return "".join(parts)


class DirectRendering:
    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        return mark_safe(self.html(attrs, self.format_value(value)))  # noqa: S308 — escaped above


class RowTextarea(DirectRendering, forms.Textarea):
    def html(self, attrs, value):
        # The newline after the tag keeps a leading newline of the value, as browsers drop one.
        return f"<textarea{attributes(attrs)}>\n{escape(value or '')}</textarea>"


class RowInput(DirectRendering, forms.TextInput):
    def html(self, attrs, value):
        if value not in (None, ""):
            attrs["value"] = value
        return f'<input type="{self.input_type}"{attributes(attrs)}>'


class RowHiddenInput(RowInput):
    input_type = "hidden"


class RowCheckbox(DirectRendering, forms.CheckboxInput):
    def html(self, attrs, value):
        return f'<input type="checkbox"{attributes(attrs)}>'

    def format_value(self, value):
        return value

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "checked": self.check_test(value)}
        return super().render(name, None, attrs)


class RowSelect(DirectRendering, forms.Select):
    def html(self, attrs, value):
        chosen = value[0] if isinstance(value, list | tuple) and value else (value or "")
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == str(chosen) else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return f"<select{attributes(attrs)}>{options}</select>"
