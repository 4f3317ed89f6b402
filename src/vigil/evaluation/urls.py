from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    # The evaluation report: how well each grading and score predicted what followed.
    path("", views.report, name="report"),
    # The history signal's versions: the list, training a new one (POST), one version, switching it on (POST).
    path("versions/", views.versions, name="versions"),
    path("versions/train/", views.version_train, name="version-train"),
    path("versions/<int:number>/", views.version_detail, name="version"),
    path("versions/<int:number>/switch-on/", views.version_switch_on, name="version-switch-on"),
]
