from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from evaluations.content import filed_years, rename_refusal
from evaluations.models import Evaluation, Indicator, Project
from evaluations.money import AmountError, RateError, parse_amount, parse_rate
from evaluations.widgets import RowCheckbox, RowHiddenInput, RowInput, RowTextarea


class TypedNumberField(forms.CharField):
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


class BootstrapFields:
    """Bootstrap classes on the widgets, and error state where the user must look."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


class LoadedChoiceField(forms.ModelChoiceField):
    """A choice among rows loaded once for the whole page, not queried again for every row."""

    def __init__(self, objects, **kwargs):
        self.objects = {obj.pk: obj for obj in objects}
        super().__init__(queryset=None, **kwargs)

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


class EvaluationForm(BootstrapFields, forms.ModelForm):
    project_name = project_name_field()
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Evaluation
        fields = ["supervising_unit", "implementing_unit", "goal", "achieved"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 4}),
            "achieved": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project_name"].initial = self.instance.project.name
        self.fields["version"].initial = self.instance.version

    def _get_validation_exclusions(self):
        # The form's fields hold the texts to the model's rules already; model validation
        # would ask the database about each text's check constraint once more.
        return super()._get_validation_exclusions() | set(self._meta.fields)

    def clean_project_name(self):
        name = self.cleaned_data["project_name"].strip()
        project = self.instance.project
        taken = (
            Project.objects.filter(department_id=project.department_id, name=name)
            .exclude(pk=project.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(
                _("This department already has a project with this name."), code="taken"
            )
        if name != project.name:
            filed = filed_years(project, excluding=self.instance)
            if filed:
                raise forms.ValidationError(rename_refusal(filed), code="filed")
        return name


class FundLineForm(BootstrapFields, forms.Form):
    budget = AmountField(label="全年预算数")
    actual = AmountField(label="实际完成数")

    def __init__(self, *args, source, **kwargs):
        self.source = source
        super().__init__(*args, prefix=f"fund-{source.pk}", **kwargs)


class IndicatorForm(BootstrapFields, forms.ModelForm):
    completion_rate = PercentField(label="完成率（%）", widget=RowInput)

    class Meta:
        model = Indicator
        fields = ["category", "name", "target", "actual", "completion_rate", "reason", "position"]
        widgets = {
            "category": RowHiddenInput,
            "position": RowHiddenInput,
            "name": RowTextarea(attrs={"rows": 2}),
            "target": RowTextarea(attrs={"rows": 2}),
            "actual": RowTextarea(attrs={"rows": 2}),
            "reason": RowTextarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"] = LoadedChoiceField(
            categories, label=self.fields["category"].label, widget=RowHiddenInput
        )
        self.fields["name"].required = False
        self.fields["position"].required = False

    def _get_validation_exclusions(self):
        # Checked by this form (the category against rows loaded once, the texts by the
        # model's form fields) and by the database's constraints; model validation would query
        # once per row for each.
        texts = {"name", "target", "actual", "reason"}
        return super()._get_validation_exclusions() | {"category", "completion_rate", *texts}

    def is_blank(self):
        """A row the user added and left empty is dropped, not refused."""
        data = {name: self[name].value() for name in ("name", "target", "actual", "reason")}
        rate = self["completion_rate"].value()
        return not any((value or "").strip() for value in data.values()) and not (rate or "")

    def has_changed(self):
        if self.instance.pk is None and self.is_blank():
            return False
        return super().has_changed()


class BaseIndicatorFormSet(BaseModelFormSet):
    def __init__(self, *args, categories, **kwargs):
        self.categories = list(categories)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["categories"] = self.categories
        return kwargs

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_field = form.fields[self.model._meta.pk.name]
        form.fields[self.model._meta.pk.name] = LoadedChoiceField(
            self.get_queryset(), initial=pk_field.initial, required=False, widget=RowHiddenInput
        )
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
