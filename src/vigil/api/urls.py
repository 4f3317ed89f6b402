from django.urls import path

from . import control_views, risk_views, views

app_name = "api"

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("schema/", views.ApiSchema.as_view(api_version="v1"), name="schema"),
    # The control room: a command-and-control system pushes incidents and reads history.
    path("incidents/", control_views.IncidentPush.as_view(), name="incidents"),
    path("history/", control_views.HistoryLookup.as_view(), name="history"),
    # Risk assessments: submit and read assessments, record supervisor and specialist gradings.
    path("assessments/", risk_views.Assessments.as_view(), name="assessments"),
    path("assessments/<uuid:public_id>/", risk_views.AssessmentDetail.as_view(), name="assessment"),
    path("assessments/<uuid:public_id>/gradings/", risk_views.AssessmentGradings.as_view(),
         name="assessment-gradings"),
]
