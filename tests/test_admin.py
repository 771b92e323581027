import pytest
from django.contrib import admin
from django.urls import reverse

from evaluations.models import BureauYear, Edition, FundSource, Year

MODELS = [(model._meta.app_label, model._meta.model_name) for model in admin.site._registry]


@pytest.mark.parametrize(("app", "model"), MODELS, ids=[f"{a}.{m}" for a, m in MODELS])
def test_an_administrator_manages_every_model(client_for, admin_user, evaluation, app, model):
    client = client_for(admin_user)
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code in (200, 403)


def test_the_form_admin_shows_a_form_with_its_rows(client_for, admin_user, evaluation):
    response = client_for(admin_user).get(
        reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    )
    assert response.status_code == 200
    assert "党员教育培训经费" in response.text


# A bureau's year, and a year's settings as the forms will read them


def bureau_year_data(bureau, year, edition, **changes):
    """The add page's POST for a bureau's year."""
    return {
        "bureau": bureau.pk,
        "year": year.pk,
        "layout": "panzhihua",
        "edition": edition.pk,
        "rules": "{}",
        "deadline": "2024-03-15",
        "execution_threshold": "90",
        "project_classes": "duration",
        **changes,
    }


def add_bureau_year(client, data):
    return client.post(reverse("admin:evaluations_bureauyear_add"), data)


def test_the_bureau_years_are_listed_with_their_layout_edition_and_deadline(
    client_for, admin_user, example_form
):
    example_form("sichuan")
    page = client_for(admin_user).get(reverse("admin:evaluations_bureauyear_changelist")).text
    assert "大英县财政局" in page
    assert "四川 部门预算项目支出绩效自评表" in page
    assert "四川一体化版" in page
    assert "2024" in page


def test_a_bureaus_year_is_added_with_its_own_rules(client_for, admin_user, bureau, year, edition):
    sichuan = Edition.objects.get(name="四川一体化版")
    data = bureau_year_data(
        bureau, year, sichuan, layout="sichuan", rules='{"score_tolerance": "1"}'
    )
    response = add_bureau_year(client_for(admin_user), data)
    assert response.status_code == 302
    settings = BureauYear.objects.get(bureau=bureau, year=year)
    assert str(settings.scoring_rules.score_tolerance) == "1"


@pytest.mark.parametrize(
    "rules",
    ['{"score_tolerence": "1"}', '{"score_tolerance": "a lot"}', '["0.5"]', '{"caps": 3}'],
)
def test_scoring_rules_that_do_not_make_rules_are_a_form_error(
    client_for, admin_user, bureau, year, rules
):
    national = Edition.objects.get(name="全国2020版")
    data = bureau_year_data(bureau, year, national, layout="national", rules=rules)
    response = add_bureau_year(client_for(admin_user), data)
    assert response.status_code == 200
    assert "这些评分规则无法使用" in response.text
    assert not BureauYear.objects.exists()


def test_a_rules_error_reads_in_the_administrators_language(client_for, admin_user, bureau, year):
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    national = Edition.objects.get(name="全国2020版")
    data = bureau_year_data(bureau, year, national, layout="national", rules='{"x": 1}')
    response = add_bureau_year(client, data)
    assert "These scoring rules cannot be used: unknown scoring settings: x." in response.text


def test_a_layout_without_scores_takes_no_scoring_rules(client_for, admin_user, bureau, year):
    data = bureau_year_data(bureau, year, year.edition, rules='{"score_tolerance": "1"}')
    response = add_bureau_year(client_for(admin_user), data)
    assert response.status_code == 200
    assert "没有评分" in response.text


@pytest.mark.parametrize(
    ("layout", "edition_name"), [("sichuan", "2021版"), ("national", "四川一体化版")]
)
def test_a_layout_is_not_paired_with_an_edition_whose_sources_it_does_not_print(
    client_for, admin_user, bureau, year, layout, edition_name
):
    other = Edition.objects.get(name=edition_name)
    response = add_bureau_year(
        client_for(admin_user), bureau_year_data(bureau, year, other, layout=layout)
    )
    assert response.status_code == 200
    assert not BureauYear.objects.exists()
    assert other.fund_sources.first().name in response.text


def test_an_edition_with_the_layouts_sources_under_their_aliases_will_do(
    client_for, admin_user, bureau, year
):
    copy = Edition.objects.create(name="全国2020版（本地）")
    for position, name in enumerate(["本年财政拨款", "上年结转资金", "其他资金"]):
        FundSource.objects.create(edition=copy, name=name, position=position)
    response = add_bureau_year(
        client_for(admin_user), bureau_year_data(bureau, year, copy, layout="national")
    )
    assert response.status_code == 302
    assert BureauYear.objects.get().edition == copy


def test_the_year_page_shows_its_layout_rules_and_bureaus_years(
    client_for, admin_user, example_form
):
    example_form("sichuan")
    client = client_for(admin_user)
    listing = client.get(reverse("admin:evaluations_year_changelist")).text
    assert "攀枝花 部门预算项目支出绩效自评表" in listing
    page = client.get(reverse("admin:evaluations_year_change", args=[2023])).text
    assert 'name="rules"' in page
    assert "大英县财政局" in page


def test_the_years_own_rules_are_checked_too(client_for, admin_user, year):
    client = client_for(admin_user)
    page = client.get(reverse("admin:evaluations_year_change", args=[2023]))
    assert page.status_code == 200
    data = {
        "year": 2023,
        "layout": "national",
        "edition": year.edition.pk,
        "rules": '{"less_is_better": "sideways"}',
        "deadline": "2024-03-31",
        "execution_threshold": "90",
        "bureau_years-TOTAL_FORMS": 0,
        "bureau_years-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:evaluations_year_change", args=[2023]), data)
    assert response.status_code == 200
    assert Year.objects.get().layout == "panzhihua"


def test_fund_source_aliases_are_edited_in_the_list(client_for, admin_user, edition):
    source = edition.fund_sources.get(name="本级财政资金")
    page = client_for(admin_user).get(reverse("admin:evaluations_fundsource_changelist")).text
    assert 'name="form-0-aliases"' in page or "aliases" in page
    response = client_for(admin_user).post(
        reverse("admin:evaluations_fundsource_change", args=[source.pk]),
        {"edition": edition.pk, "name": source.name, "aliases": "区本级财政资金", "position": 2},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.alias_list == ["区本级财政资金"]


def test_a_bureaus_year_shows_the_rules_its_forms_are_scored_by(
    client_for, admin_user, example_form
):
    settings = example_form("sichuan").year_settings
    settings.rules = {"score_tolerance": "2"}
    settings.save()
    page = client_for(admin_user).get(
        reverse("admin:evaluations_bureauyear_change", args=[settings.pk])
    )
    assert page.status_code == 200
    # The layout's rules in full, with the bureau's setting over them.
    assert "&quot;score_tolerance&quot;: &quot;2&quot;" in page.text
    assert "&quot;execution_reason_below&quot;: &quot;0.90&quot;" in page.text


def test_stored_rules_that_cannot_be_used_show_as_such_not_as_an_error_page(
    client_for, admin_user, example_form
):
    settings = example_form("national").year_settings
    BureauYear.objects.filter(pk=settings.pk).update(rules={"caps": "none"})
    page = client_for(admin_user).get(
        reverse("admin:evaluations_bureauyear_change", args=[settings.pk])
    )
    assert page.status_code == 200
    assert "这些评分规则无法使用" in page.text


def test_the_edition_field_says_which_edition_each_layout_prints(client_for, admin_user, year):
    page = client_for(admin_user).get(reverse("admin:evaluations_bureauyear_add")).text
    assert "全国 项目支出绩效自评表（财预〔2020〕10号）: 全国2020版" in page


def test_a_years_edition_cannot_change_under_forms_filed_in_it(evaluation, year):
    from django import forms

    from evaluations.admin import YearSettingsForm
    from evaluations.models import Edition, Year

    form_class = forms.modelform_factory(
        Year,
        form=YearSettingsForm,
        fields=["year", "layout", "edition", "rules", "execution_threshold"],
    )
    other = Edition.objects.get(name="全国2020版")
    form = form_class(
        data={
            "year": year.year,
            "layout": "national",
            "edition": other.pk,
            "rules": "{}",
            "execution_threshold": "90",
        },
        instance=year,
    )
    assert not form.is_valid()
    assert "edition" in form.errors
