from django.urls import path

from . import board_views, review_views, views

app_name = "control"

urlpatterns = [
    # Intake (the call taker's screen) and the history beside it.
    path("", views.calls, name="calls"),
    path("calls/new/", views.call_start, name="call-start"),
    path("calls/<uuid:public_id>/", views.call_intake, name="call-intake"),
    path("calls/<uuid:public_id>/autosave/", views.call_autosave, name="call-autosave"),
    path("calls/<uuid:public_id>/people/", views.call_person_add, name="call-person-add"),
    path("calls/<uuid:public_id>/history/", views.call_history_panel, name="call-history"),
    path("addresses/", views.address_lookup, name="address-lookup"),
    # What the attending officer is sent.
    path("incidents/<uuid:public_id>/brief/", views.officer_brief, name="officer-brief"),
    # Background checks that are tasks.
    path("checks/", views.check_queue, name="checks"),
    path("checks/<uuid:public_id>/", views.check_work, name="check-work"),
    # The supervisors' live board.
    path("board/", board_views.board, name="board"),
    path("board/rows/", board_views.board_rows, name="board-rows"),
    path("board/<uuid:public_id>/acknowledge/", board_views.board_acknowledge, name="board-acknowledge"),
    # Call-review sampling.
    path("call-reviews/", review_views.call_review_coverage, name="call-reviews"),
    path("call-reviews/<uuid:public_id>/", review_views.call_review_record, name="call-review"),
]
