from django.urls import path

from . import views

app_name = "imports"

# Administrators only (imports.manage): upload and follow imports, download the quarantine report.
urlpatterns = [
    path("", views.runs, name="runs"),
    path("templates/<slug:kind>.csv", views.template_file, name="template"),
    path("<uuid:public_id>/", views.run_detail, name="run"),
    path("<uuid:public_id>/progress/", views.run_progress, name="run-progress"),
    path("<uuid:public_id>/resume/", views.run_resume, name="run-resume"),
    path("<uuid:public_id>/quarantine.csv", views.quarantine_report, name="quarantine-report"),
]
