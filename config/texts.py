"""What a text people write into the app may hold, the same on every way in.

- One-line texts (names, units, codes) never hold a line break or any other control character.
  They end up in mail subjects, sheet titles and file names, where a line break is an error; a
  line break that arrives anyway (Alt+Enter in an Excel cell, a pasted paragraph) becomes a space.
- Multi-line texts (goals, results, indicator cells, comments) keep their line breaks, always as
  `\\n` alone: browsers send `\\r\\n`, Excel keeps `\\n`, and a text must read back as it was
  written. No other control character is kept.
- Each text has a limit in characters, counted after that cleaning: the edit page's `maxlength`
  counts a line break once, as the server does.

The model fields below declare both, so that model forms and the admin apply them; the import
and the demo loader call `one_line` and `multi_line`; and the database refuses what slips past
(`text_constraints`).
"""

import logging
import re

from django import forms
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

# 项目名称, units, department names.
SHORT_TEXT = 200
# Each cell of an indicator row.
CELL_TEXT = 1000
# 年度设定目标, 实际完成情况, 审核意见 and other comments.
LONG_TEXT = 5000

logger = logging.getLogger(__name__)

# C0 and C1 controls, DEL, lone surrogates and the two non-characters XML refuses. Tabs and line
# breaks are dealt with before this applies.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What the database refuses, as a pattern both SQLite (through Python) and PostgreSQL read.
# PostgreSQL cannot store U+0000 at all, and a pattern holding it would not reach it.
_ONE_LINE_REFUSED = "[\x01-\x1f\x7f-\x9f\u2028\u2029]"
_MULTI_LINE_REFUSED = "[\x01-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]"


def one_line(text):
    """The text on one line: line breaks and tabs become one space, control characters go."""
    if text is None:
        return ""
    parts = (_CONTROL.sub("", part.replace("\t", " ")).strip() for part in str(text).splitlines())
    return " ".join(part for part in parts if part)


def multi_line(text):
    """The text with `\\n` for every kind of line break, a space for a tab, and no control
    character; without blank space around it."""
    if text is None:
        return ""
    lines = (_CONTROL.sub("", line.replace("\t", " ")) for line in str(text).splitlines())
    return "\n".join(lines).strip()


def has_line_break(text):
    return len(str(text).splitlines()) > 1


class _TextFormField(forms.CharField):
    default_error_messages = {
        "max_length": _(
            "At most %(limit_value)d characters are allowed here; this has %(show_value)d."
        ),
    }


class OneLineFormField(_TextFormField):
    def to_python(self, value):
        value = super().to_python(value)
        return (one_line(value) or self.empty_value) if value else value


class MultiLineFormField(_TextFormField):
    def to_python(self, value):
        value = super().to_python(value)
        return (multi_line(value) or self.empty_value) if value else value


class OneLineField(models.CharField):
    """A name or a unit: one line of at most `max_length` characters."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": OneLineFormField, **kwargs})


class MultiLineField(models.TextField):
    """A text of several lines, of at most `max_length` characters (which the database checks
    too, through `text_constraints`)."""

    def __init__(self, *args, max_length, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MultiLineFormField, **kwargs})


def text_constraints(model_name, *, one_line=(), multi_line=None):
    """The checks of a model's text fields: `one_line` names its OneLineFields, `multi_line`
    maps its MultiLineFields to their limits."""
    found = [
        models.CheckConstraint(
            condition=~Q(**{f"{name}__regex": _ONE_LINE_REFUSED}),
            name=f"{model_name}_{name}_one_line",
        )
        for name in one_line
    ]
    found += [
        models.CheckConstraint(
            condition=Q(
                ~Q(**{f"{name}__regex": _MULTI_LINE_REFUSED}),
                LessThanOrEqual(Length(name), limit),
            ),
            name=f"{model_name}_{name}_clean",
        )
        for name, limit in (multi_line or {}).items()
    ]
    return found


def clean_stored(model, *, one_line=(), multi_line=None):
    """Bring rows saved before these rules to them, for the migration that adds the constraints.

    A line break in a name becomes a space; multi-line texts get `\\n` line breaks; control
    characters go. A name that then equals another one in the same scope gets its row number
    appended rather than failing the migration. A multi-line text longer than its limit, which
    only a hand-made request could have saved, is cut to it, and the cut is logged.
    """
    for name in one_line:
        _clean_rows(model, name, limit=None)
    for name, limit in (multi_line or {}).items():
        _clean_rows(model, name, limit)


def _clean_rows(model, name, limit):
    """One field of `model`: a one-line text without a limit (the column has one), or a
    multi-line text with one."""
    rows = model.objects.annotate(length=Length(name))
    if limit is None:
        clean, dirty = one_line, Q(**{f"{name}__regex": _ONE_LINE_REFUSED})
        max_length = model._meta.get_field(name).max_length
    else:
        clean, max_length = multi_line, limit
        dirty = Q(**{f"{name}__regex": _MULTI_LINE_REFUSED}) | Q(length__gt=limit)
    for pk, value, length in rows.filter(dirty).values_list("pk", name, "length").iterator():
        cleaned = clean(value)
        if len(cleaned) > max_length:
            logger.warning(
                "text_cut model=%s pk=%s field=%s length=%s limit=%s",
                model._meta.label,
                pk,
                name,
                length,
                max_length,
            )
            cleaned = cleaned[:max_length].rstrip()
        try:
            with transaction.atomic():
                model.objects.filter(pk=pk).update(**{name: cleaned})
        except IntegrityError:
            suffix = f" ({pk})"
            cleaned = cleaned[: max_length - len(suffix)] + suffix
            model.objects.filter(pk=pk).update(**{name: cleaned})


def settle(schema_editor):
    """After `clean_stored`, in the same migration as the constraints it prepares for.

    PostgreSQL queues the deferred foreign-key checks of every updated row until the commit,
    and refuses to alter a table while any are queued: run them now.
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
