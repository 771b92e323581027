"""Widgets for the indicator rows, rendered without the template engine.

A 30-row form has over two hundred of them; through widget templates (and flatatt) they took
more than half of the edit page's server time. The HTML is what Django's own widgets write.
"""

from html import escape

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeData, mark_safe


def attributes(attrs):
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(f" {key}")
        elif value is not False and value is not None:
            parts.append(f' {key}="{escape(str(value))}"')
    return "".join(parts)


class PlainCopy:
    """Copied as copy.copy copies any object, without going through the pickling protocol: a
    form copies each of its fields and their widgets (Django deep-copies a form's fields for
    every form it makes), some 2,000 copies for the rows of a 100-row page, and as many for
    its save."""

    def __copy__(self):
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__)
        return copied


class DirectRendering(PlainCopy):
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


def _text(value):
    """A value as Django's widget templates print it: as text, escaped unless marked safe."""
    return value if isinstance(value, SafeData) else escape(str(value))


def _template_attributes(attrs):
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    """django/forms/widgets/input.html (text.html, hidden.html and checkbox.html include it)."""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_template_attributes(widget['attrs'])}>"
    )


def _textarea(widget):
    """django/forms/widgets/textarea.html."""
    value = _text(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_text(widget["name"])}"{_template_attributes(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


class DirectRenderer(DjangoTemplates):
    """Django's form renderer, with the templates of text, hidden and checkbox inputs and of
    textareas written out in Python: the edit page's texts, amounts, facts and the formset's
    bookkeeping went through two or three templates each (a few milliseconds a page). The HTML
    is what those templates write; any other template is rendered as Django renders it."""

    written = {
        "django/forms/widgets/text.html": _input,
        "django/forms/widgets/hidden.html": _input,
        "django/forms/widgets/checkbox.html": _input,
        "django/forms/widgets/textarea.html": _textarea,
    }

    def render(self, template_name, context, request=None):
        write = self.written.get(template_name)
        if write is None or "widget" not in context:
            return super().render(template_name, context, request)
        return write(context["widget"])


# One for all forms: a renderer's template engine is made once.
DIRECT_RENDERER = DirectRenderer()
