from django.urls import path

from . import lessons_views, pack_views, partner_views, survey_views

app_name = "insight"

urlpatterns = [
    # The performance pack (pack_views.py): the page, and its CSV and PDF downloads (audited).
    path("pack/", pack_views.pack, name="pack"),
    path("pack/pack.csv", pack_views.pack_csv, name="pack-csv"),
    path("pack/pack.pdf", pack_views.pack_pdf, name="pack-pdf"),
    # Partner figures (partner_views.py): analysts import a CSV file of them; the pack shows them.
    path("partner-figures/", partner_views.partner_figures, name="partner-figures"),
    # Lessons from reviews: briefings for every signed-in user; the register and coverage for analysts and
    # administrators (lessons_views.py).
    path("briefings/", lessons_views.briefings_for_you, name="briefings-for-you"),
    path("briefings/<uuid:public_id>/acknowledge/", lessons_views.briefing_acknowledge, name="briefing-acknowledge"),
    path("reviews/", lessons_views.review_list, name="reviews"),
    path("reviews/new/", lessons_views.review_new, name="review-new"),
    path("reviews/<uuid:public_id>/", lessons_views.review_detail, name="review"),
    path("reviews/<uuid:public_id>/lessons/new/", lessons_views.lesson_new, name="lesson-new"),
    path("lessons/<uuid:public_id>/", lessons_views.lesson_detail, name="lesson"),
    path("lessons/<uuid:public_id>/progress/", lessons_views.lesson_update, name="lesson-update"),
    path("lessons/<uuid:public_id>/briefings/new/", lessons_views.briefing_new, name="briefing-new"),
    path("briefings/coverage/", lessons_views.coverage, name="briefing-coverage"),
    path("briefings/coverage.csv", lessons_views.coverage_csv, name="briefing-coverage-csv"),
    path("briefings/<uuid:public_id>/", lessons_views.briefing_detail, name="briefing"),
    path("briefings/<uuid:public_id>/withdraw/", lessons_views.briefing_withdraw, name="briefing-withdraw"),
    # Victim surveys (survey_views.py): the calls to make, the call itself, how it ended, the results.
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/results/", survey_views.survey_results, name="survey-results"),
    path("surveys/cases/<uuid:public_id>/call/", survey_views.survey_start, name="survey-start"),
    path("surveys/<uuid:public_id>/", survey_views.survey_call, name="survey"),
]
