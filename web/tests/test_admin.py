"""Django admin covers every model of the project, and each page of it opens."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.models import Role

PROJECT_APPS = ["common", "accounts", "orgunits", "plans", "reporting", "registry",
                "progress", "jobs"]
MODELS = [m for name in PROJECT_APPS for m in apps.get_app_config(name).get_models()]


def test_every_project_model_is_in_the_admin():
    missing = [m._meta.label for m in MODELS if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_opens(client, make_user, plan, model):
    client.force_login(make_user(Role.ADMIN))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("label", ["common.AuditEvent", "reporting.DataValue",
                                   "reporting.TaskAnswer", "registry.ConsumptionLine"])
def test_records_written_only_by_services_cannot_be_added_in_the_admin(client, make_user,
                                                                        plan, label):
    client.force_login(make_user(Role.ADMIN))
    model = apps.get_model(label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert client.get(url).status_code == 403
