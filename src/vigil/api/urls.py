from django.urls import path

from . import case_views, control_views, marac_views, risk_views, views

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
    # Safeguarding cases: cases, my tasks, victim contacts, custody events and orders.
    path("cases/", case_views.Cases.as_view(), name="cases"),
    path("cases/<uuid:public_id>/", case_views.CaseDetail.as_view(), name="case"),
    path("cases/<uuid:public_id>/contacts/", case_views.CaseContacts.as_view(), name="case-contacts"),
    path("cases/<uuid:public_id>/custody/", case_views.CaseCustody.as_view(), name="case-custody"),
    path("cases/<uuid:public_id>/orders/", case_views.CaseOrders.as_view(), name="case-orders"),
    path("custody/<uuid:public_id>/disposal/", case_views.CustodyDisposal.as_view(), name="custody-disposal"),
    path("custody/<uuid:public_id>/court-outcome/", case_views.CustodyCourtOutcome.as_view(),
         name="custody-court-outcome"),
    path("tasks/", case_views.Tasks.as_view(), name="tasks"),
    path("tasks/<uuid:public_id>/complete/", case_views.TaskComplete.as_view(), name="task-complete"),
    # MARAC: referrals and each agency's research, meetings with their agenda and attendance, actions.
    path("marac/referrals/", marac_views.MaracReferrals.as_view(), name="marac-referrals"),
    path("marac/referrals/<uuid:public_id>/", marac_views.MaracReferralDetail.as_view(), name="marac-referral"),
    path("marac/referrals/<uuid:public_id>/research/", marac_views.MaracReferralResearch.as_view(),
         name="marac-referral-research"),
    path("marac/meetings/", marac_views.MaracMeetings.as_view(), name="marac-meetings"),
    path("marac/meetings/<uuid:public_id>/", marac_views.MaracMeetingDetail.as_view(), name="marac-meeting"),
    path("marac/meetings/<uuid:public_id>/attendance/", marac_views.MaracMeetingAttendance.as_view(),
         name="marac-meeting-attendance"),
    path("marac/actions/", marac_views.MaracActions.as_view(), name="marac-actions"),
    path("marac/actions/<uuid:public_id>/complete/", marac_views.MaracActionComplete.as_view(),
         name="marac-action-complete"),
    path("marac/actions/<uuid:public_id>/cancel/", marac_views.MaracActionCancel.as_view(),
         name="marac-action-cancel"),
]
