from django.urls import path

from . import capacity_views, review_views, scene_views, views

app_name = "risk"

urlpatterns = [
    # The attending officer: the assessment itself (answers saved as given), grading, submission.
    path("", views.assessments, name="assessments"),
    path("start/<uuid:incident_id>/", views.assessment_start, name="assessment-start"),
    path("<uuid:public_id>/", views.assessment_form, name="assessment"),
    path("<uuid:public_id>/answer/", views.answer_save, name="answer"),
    path("<uuid:public_id>/grade/", views.assessment_grade, name="grade"),
    # At the scene: positive action, safety measures, advice; evidence; children.
    path("<uuid:public_id>/scene/", scene_views.scene, name="scene"),
    path("<uuid:public_id>/evidence/", scene_views.evidence_add, name="evidence-add"),
    path("evidence/<uuid:public_id>/", scene_views.evidence_detail, name="evidence"),
    path("evidence/<uuid:public_id>/file/", scene_views.evidence_file, name="evidence-file"),
    path("<uuid:public_id>/children/", scene_views.child_notifications, name="children"),
    path("child-notifications/<uuid:public_id>/sent/", scene_views.child_notification_sent,
         name="child-notification-sent"),
    # Supervision and specialist review.
    path("supervision/", review_views.supervision_queue, name="supervision"),
    path("supervision/report/", review_views.supervision_report, name="supervision-report"),
    path("<uuid:public_id>/supervise/", review_views.supervise, name="supervise"),
    path("specialist/", review_views.specialist_queue, name="specialist"),
    path("<uuid:public_id>/specialist-review/", review_views.specialist_review, name="specialist-review"),
    # Capacity analysis.
    path("capacity/", capacity_views.capacity_analysis, name="capacity"),
]
