from django.urls import path

from . import views

app_name = "marac"

urlpatterns = [
    # Referrals: the list, refer a case, one referral with its research and what other agencies hold.
    path("", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/new/someone-new/", views.referral_new_victim, name="referral-new-victim"),
    path("referrals/<uuid:public_id>/", views.referral_detail, name="referral"),
    path("referrals/<uuid:public_id>/research/", views.research_add, name="research-add"),
    path("referrals/<uuid:public_id>/ask/<slug:agency>/", views.information_request, name="information-request"),
    path("referrals/<uuid:public_id>/discussion/", views.discussion_record, name="discussion"),
    # Requests for information addressed to the viewer's agency, and answering one.
    path("requests/", views.information_requests, name="information-requests"),
    path("requests/<uuid:public_id>/", views.information_request_answer, name="information-request-answer"),
    # Meetings: the list, the agenda and the chair's record, the printable pack.
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<uuid:public_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<uuid:public_id>/attendance/", views.attendance_record, name="attendance"),
    path("meetings/<uuid:public_id>/actions/", views.action_agree, name="action-agree"),
    path("meetings/<uuid:public_id>/print/", views.meeting_print, name="meeting-print"),
    path("meetings/<uuid:public_id>/pdf/", views.meeting_pdf, name="meeting-pdf"),
    # Actions: the viewer's agency's actions, and closing one.
    path("actions/", views.action_list, name="actions"),
    path("actions/<uuid:public_id>/close/", views.action_close, name="action-close"),
    # Figures.
    path("figures/", views.figures, name="figures"),
    # The SafeLives data return, and its CSV download (audited as an export).
    path("data-return/", views.data_return, name="data-return"),
    path("data-return/csv/", views.data_return_csv, name="data-return-csv"),
]
