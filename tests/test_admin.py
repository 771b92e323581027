import pytest
from django.contrib import admin
from django.urls import reverse

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
