from django.urls import path

from . import (
    contact_views,
    custody_views,
    disclosure_views,
    order_views,
    referral_views,
    timeline_views,
    views,
    worker_views,
)

app_name = "cases"

# Each section belongs to one area of the cases app; add a route in its section.
urlpatterns = [
    # Cases, ownership and handovers; "My work".
    path("my-work/", views.my_work, name="my-work"),
    path("<uuid:public_id>/", views.case_detail, name="case"),
    path("<uuid:public_id>/handover/", views.handover_propose, name="handover-propose"),
    path("<uuid:public_id>/take-back/", views.take_back, name="take-back"),
    path("<uuid:public_id>/close/", views.case_close, name="case-close"),
    path("handovers/<uuid:public_id>/accept/", views.handover_accept, name="handover-accept"),
    path("handovers/<uuid:public_id>/reject/", views.handover_reject, name="handover-reject"),
    path("handovers/<uuid:public_id>/withdraw/", views.handover_withdraw, name="handover-withdraw"),
    path("tasks/<uuid:public_id>/done/", views.task_done, name="task-done"),
    # Timelines of a case and of a person, and their export for court or review.
    path("<uuid:public_id>/timeline/", timeline_views.case_timeline, name="timeline"),
    path("<uuid:public_id>/timeline/export/", timeline_views.case_timeline_export, name="timeline-export"),
    path("person/<uuid:public_id>/timeline/", timeline_views.person_timeline, name="person-timeline"),
    path("person/<uuid:public_id>/timeline/export/", timeline_views.person_timeline_export,
         name="person-timeline-export"),
    # Custody and court
    path("<uuid:public_id>/custody/arrest/", custody_views.arrest_record, name="custody-arrest"),
    path("custody/<uuid:public_id>/disposal/", custody_views.disposal_record, name="custody-disposal"),
    path("custody/<uuid:public_id>/court-outcome/", custody_views.court_outcome_record, name="custody-court-outcome"),
    path("custody/<uuid:public_id>/release-date/", custody_views.release_date_set, name="custody-release-date"),
    # Victim contact
    path("<uuid:public_id>/contacts/new/", contact_views.contact_log, name="contact-log"),
    path("<uuid:public_id>/contact-plan/", contact_views.contact_plan_edit, name="contact-plan"),
    # Orders
    path("<uuid:public_id>/orders/new/", order_views.order_record, name="order-record"),
    path("orders/<uuid:public_id>/end/", order_views.order_end, name="order-end"),
    path("orders/<uuid:public_id>/vary/", order_views.order_vary, name="order-vary"),
    path("orders/<uuid:public_id>/breach/", order_views.breach_record, name="breach-record"),
    # Referrals
    path("<uuid:public_id>/referrals/new/", referral_views.referral_send, name="referral-send"),
    path("referrals/", referral_views.referrals_received, name="referrals-received"),
    path("referrals/<uuid:public_id>/acknowledge/", referral_views.referral_acknowledge, name="referral-acknowledge"),
    # Disclosure scheme
    path("disclosures/", disclosure_views.disclosure_list, name="disclosures"),
    path("disclosures/new/", disclosure_views.disclosure_receive, name="disclosure-receive"),
    path("disclosures/<uuid:public_id>/", disclosure_views.disclosure_detail, name="disclosure"),
    path("disclosures/<uuid:public_id>/stage/", disclosure_views.disclosure_stage, name="disclosure-stage"),
    path("disclosures/<uuid:public_id>/decide/", disclosure_views.disclosure_decide, name="disclosure-decide"),
    # Background work
    path("worker/", worker_views.worker_status_page, name="worker-status"),
]
