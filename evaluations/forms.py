import copy
import functools
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms import BaseFormSet, BaseModelFormSet, modelformset_factory
from django.forms.models import construct_instance
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from config.texts import MultiLineFormField, OneLineFormField
from evaluations.content import Facts, filed_years, rename_refusal
from evaluations.layouts.declaration import FORM_TEXTS
from evaluations.models import Evaluation, Indicator, Project
from evaluations.money import AmountError, RateError, parse_amount, parse_rate
from evaluations.points import PointsError, parse_points
from evaluations.scoring import NATURES
from evaluations.widgets import (
    DIRECT_RENDERER,
    PlainCopy,
    RowCheckbox,
    RowHiddenInput,
    RowInput,
    RowSelect,
    RowTextarea,
)
from reports import classes


class TypedNumberField(PlainCopy, forms.CharField):
    """A number typed as text, so that what the user typed comes back as it was on errors."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return value

    def clean(self, value):
        # The length limit is for the text typed; the cleaned value is a Decimal.
        self.validate(value)
        self.run_validators(value)
        return self.to_python(value)


class AmountField(TypedNumberField):
    """An amount in 万元 as people type it: `12`, `11.97`, `1,234.5`; blank is no money."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_amount(value)
        except AmountError as error:
            raise forms.ValidationError(str(error), code="amount") from None


class PercentField(TypedNumberField):
    """A completion rate: `52.37`, `52.37%` or `100%`; rounded to two decimals."""

    def to_python(self, value):
        try:
            return parse_rate(super().to_python(value))
        except RateError as error:
            raise forms.ValidationError(str(error), code=f"percent_{error.code}") from None


class PointsField(TypedNumberField):
    """A weight or a score: `10`, `9.5`; blank is none given."""

    def to_python(self, value):
        try:
            return parse_points(super().to_python(value))
        except PointsError as error:
            raise forms.ValidationError(str(error), code=f"points_{error.code}") from None


def style_fields(fields):
    """Bootstrap's class on each of these fields' widgets."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


class BootstrapFields:
    """Bootstrap classes on the widgets, and error state where the user must look."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        """The classes on every field's widget; again after a form adds or replaces fields."""
        style_fields(self.fields)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


class ConstraintsLeftToTheDatabase:
    """A model form whose model validation leaves out every value the model's check
    constraints are about (the form's own fields check the values it edits, and it edits no
    others): validating the constraints in Python would decide nothing, yet Django builds a
    query expression for each of them on every form. The database still enforces them."""

    def _post_clean(self):
        exclude = self._get_validation_exclusions()
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except forms.ValidationError as error:
            self._update_errors(error)
        try:
            self.instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=False
            )
        except forms.ValidationError as error:
            self._update_errors(error)
        if self._validate_unique:
            self.validate_unique()


class LoadedChoiceField(PlainCopy, forms.Field):
    """A choice among rows loaded once for the whole page ({pk: row}), not queried again for
    every row. A plain field, not a ModelChoiceField: each row's form copies its fields, and a
    model choice field copies its queryset too."""

    default_error_messages = forms.ModelChoiceField.default_error_messages

    def __init__(self, objects=None, **kwargs):
        self.objects = objects or {}
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.pk if hasattr(value, "_meta") else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.objects[int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def has_changed(self, initial, data):
        initial = getattr(initial, "pk", initial)
        return str(initial or "") != str(data or "")


def project_name_field():
    """项目名称 as the project's model field declares it: one line, its limit."""
    return Project._meta.get_field("name").formfield(label="项目名称")


class EvaluationForm(ConstraintsLeftToTheDatabase, BootstrapFields, forms.ModelForm):
    """The form's texts its layout declares, labelled as the layout labels them."""

    default_renderer = DIRECT_RENDERER

    project_name = project_name_field()
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Evaluation
        fields = list(FORM_TEXTS)

    def __init__(self, *args, layout, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        declared = layout.field_by_name
        for name in FORM_TEXTS:
            if name not in declared:
                del self.fields[name]
                continue
            field = self.fields[name]
            field.label = declared[name].label
            if declared[name].multi_line:
                field.widget = forms.Textarea(attrs={"rows": 4, **field.widget.attrs})
        self.fields["project_name"].label = declared["project"].label
        if "project_code" in declared:
            code = Project._meta.get_field("code").formfield(label=declared["project_code"].label)
            code.initial = self.instance.project.code
            self.fields["project_code"] = code
        self.style_fields()
        self.fields["project_name"].initial = self.instance.project.name
        self.fields["version"].initial = self.instance.version

    def _get_validation_exclusions(self):
        # The form's fields hold the texts to the model's rules already.
        return super()._get_validation_exclusions() | set(FORM_TEXTS)

    def clean_project_name(self):
        name = self.cleaned_data["project_name"].strip()
        project = self.instance.project
        # A name left as it is is the project's own: no other project of the department can
        # have it (the database keeps names unique).
        if name == project.name:
            return name
        taken = (
            Project.objects.filter(department_id=project.department_id, name=name)
            .exclude(pk=project.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(
                _("This department already has a project with this name."), code="taken"
            )
        filed = filed_years(project, excluding=self.instance)
        if filed:
            raise forms.ValidationError(rename_refusal(filed), code="filed")
        return name


class FactsForm(BootstrapFields, forms.Form):
    """The form's facts for the department's report: its project class in the year's scheme and
    the three yes/no facts. Outside the official table: no layout prints them."""

    default_renderer = DIRECT_RENDERER

    project_class = forms.ChoiceField(label=_("Project class"), required=False)
    pre_assessment = forms.BooleanField(label=_("事前绩效评估"), required=False)
    has_targets = forms.BooleanField(label=_("绩效目标"), required=False)
    monitored = forms.BooleanField(label=_("绩效监控"), required=False)

    def __init__(self, data=None, *, evaluation):
        initial = {name: getattr(evaluation, name) for name in Facts.__dataclass_fields__}
        super().__init__(data, initial=initial, prefix="facts")
        scheme = classes.scheme_of(evaluation.year_settings)
        self.fields["project_class"].choices = [
            (classes.UNCLASSIFIED, classes.UNCLASSIFIED_LABEL),
            *((item.key, item.label) for item in scheme.classes),
        ]

    def facts(self):
        return Facts(**self.cleaned_data)


class FundLineForm(BootstrapFields, forms.Form):
    """One fund source's amounts: a field per amount column the layout's funds block has."""

    default_renderer = DIRECT_RENDERER

    def __init__(self, *args, source, columns, **kwargs):
        self.source = source
        super().__init__(*args, prefix=f"fund-{source.pk}", **kwargs)
        for column in columns:
            self.fields[column.name] = AmountField(label=column.label)
            self.fields[column.name].widget.attrs["data-fund"] = column.name
        self.style_fields()


ROW_TEXTS = ("name", "target", "unit", "actual", "reason")
ROW_NUMBERS = ("weight", "score", "completion_rate")


class RowText(PlainCopy, MultiLineFormField):
    pass


class RowLine(PlainCopy, OneLineFormField):
    pass


class RowChoice(PlainCopy, forms.ChoiceField):
    pass


class RowInteger(PlainCopy, forms.IntegerField):
    pass


class IndicatorForm(ConstraintsLeftToTheDatabase, BootstrapFields, forms.ModelForm):
    """One indicator row: a field per column the layout's indicator block declares."""

    default_renderer = DIRECT_RENDERER

    nature = RowChoice(
        label="指标性质",
        required=False,
        choices=[("", "—"), *((nature, nature) for nature in NATURES)],
        widget=RowSelect,
    )
    completion_rate = PercentField(label="完成率（%）", widget=RowInput)
    weight = PointsField(label="分值", widget=RowInput)
    score = PointsField(label="得分", widget=RowInput)

    class Meta:
        model = Indicator
        fields = ["category", *ROW_TEXTS, "nature", *ROW_NUMBERS, "position"]
        widgets = {
            "category": RowHiddenInput,
            "position": RowHiddenInput,
            "name": RowTextarea(attrs={"rows": 2}),
            "target": RowTextarea(attrs={"rows": 2}),
            "actual": RowTextarea(attrs={"rows": 2}),
            "reason": RowTextarea(attrs={"rows": 2}),
            "unit": RowInput,
        }
        field_classes = {
            **dict.fromkeys(("name", "target", "actual", "reason"), RowText),
            "unit": RowLine,
            "position": RowInteger,
        }

    # The layout's columns this class shows (see for_columns).
    columns = ()

    @classmethod
    @functools.cache
    def for_columns(cls, columns):
        """The row form of a layout's columns: fields for those only, labelled as the layout
        labels them. Made once per layout rather than per row, so that each row's form copies
        only the fields it shows."""
        form = type(cls)(cls.__name__, (cls,), {"__module__": cls.__module__})
        form.columns = tuple(column for column in columns if column.name in form.base_fields)
        shown = {column.name: column for column in form.columns}
        # Copies: the declared fields are shared with every other layout's class.
        fields = {
            name: copy.deepcopy(field)
            for name, field in form.base_fields.items()
            if name in shown or name not in (*ROW_TEXTS, "nature", *ROW_NUMBERS)
        }
        for name, column in shown.items():
            fields[name].label = column.label
        category = fields["category"]
        fields["category"] = LoadedChoiceField(label=category.label, widget=RowHiddenInput)
        style_fields(fields)
        for name in ("weight", "score"):
            if name in fields:
                fields[name].widget.attrs["data-points"] = name
        if "name" in fields:
            fields["name"].required = False
        fields["position"].required = False
        form.base_fields = fields
        return form

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].objects = categories

    @property
    def shown(self):
        """The names of the row's values this page shows, in the layout's order."""
        return [column.name for column in self.columns]

    def _get_validation_exclusions(self):
        # Checked by this form (the category against rows loaded once, the texts by the
        # model's form fields) and by the database's constraints; model validation would query
        # once per row for each.
        return super()._get_validation_exclusions() | {"category", *self.shown}

    def is_blank(self):
        """A row the user added and left empty is dropped, not refused."""
        return not any(str(self[name].value() or "").strip() for name in self.shown)

    def has_changed(self):
        if self.instance.pk is None and self.is_blank():
            return False
        return super().has_changed()


class BaseIndicatorFormSet(BaseModelFormSet):
    """The form's rows, given in the order of the page (those the page fetched already,
    rather than a queryset read once more)."""

    def __init__(self, *args, rows, categories, columns, **kwargs):
        self.rows = list(rows)
        self.categories = {category.pk: category for category in categories}
        self.form = self.form.for_columns(tuple(columns))
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return self.rows

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["categories"] = self.categories
        return kwargs

    @cached_property
    def rows_by_id(self):
        """The choices of every row's id."""
        return {row.pk: row for row in self.rows}

    def add_fields(self, form, index):
        # What BaseModelFormSet.add_fields does, with the rows loaded once for every row's id
        # where Django gives each row a ModelChoiceField of its own queryset (cloned per row).
        self._pk_field = self.model._meta.pk
        if form.is_bound:
            pk = None if form.instance._state.adding else form.instance.pk
        else:
            pk = self.rows[index].pk if index is not None and index < len(self.rows) else None
        form.fields[self._pk_field.name] = LoadedChoiceField(
            self.rows_by_id, initial=pk, required=False, widget=RowHiddenInput
        )
        BaseFormSet.add_fields(self, form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget = RowCheckbox(attrs={"class": "form-check-input"})
            form.fields["DELETE"].label = _("Remove row")

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            categories=self.categories,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


IndicatorFormSet = modelformset_factory(
    Indicator,
    form=IndicatorForm,
    formset=BaseIndicatorFormSet,
    extra=0,
    can_delete=True,
    max_num=300,
    validate_max=True,
    absolute_max=300,
    renderer=DIRECT_RENDERER,
)


class NewEvaluationForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, empty_label=None)
    project_name = project_name_field()
    kind = forms.ChoiceField(label=_("Project type"), choices=Project.Kind.choices)

    def __init__(self, *args, departments, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["department"].queryset = departments
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("start", _("Start the form")))

    def clean(self):
        cleaned = super().clean()
        department, name = cleaned.get("department"), cleaned.get("project_name")
        if department and name:
            name = cleaned["project_name"] = name.strip()
            if Evaluation.objects.filter(
                project__department=department, project__name=name, year=self.year
            ).exists():
                self.add_error(
                    "project_name",
                    _("This project already has a form for %(year)s.") % {"year": self.year.year},
                )
        return cleaned
