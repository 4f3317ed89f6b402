from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("vigil.accounts.urls")),
    path("people/", include("vigil.people.urls")),
    path("audit/", include("vigil.audit.urls")),
    path("control/", include("vigil.checks.urls")),
    path("risk/", include("vigil.risk.urls")),
    path("cases/", include("vigil.cases.urls")),
    path("linkage/", include("vigil.linkage.urls")),
    path("marac/", include("vigil.marac.urls")),
    path("insight/", include("vigil.insight.urls")),
    path("evaluation/", include("vigil.evaluation.urls")),
    path("imports/", include("vigil.imports.urls")),
    path("events/", include("vigil.events.urls")),
    path("api/v1/", include("vigil.api.urls")),
    path("admin/", admin.site.urls),
]
