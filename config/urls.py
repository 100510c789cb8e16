"""Top-level URLs: each app mounts its own pages; the REST API lives under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("plan/", include("plans.urls")),
    path("reporting/", include("reporting.urls")),
    path("registry/", include("registry.urls")),
    path("progress/", include("progress.urls")),
    path("documents/", include("documents.urls")),
    path("exchange/", include("exchange.urls")),
    path("jobs/", include("jobs.urls")),
    path("", include("ops.urls")),
    path("", include("web.urls")),
]
