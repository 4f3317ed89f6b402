from django.urls import path

from . import list_views, views

app_name = "linkage"

# Each section belongs to one area of the linkage app; add a route in its section.
urlpatterns = [
    # Who is who: the review queue, merging and splitting persons.
    path("reviews/", views.review_queue, name="reviews"),
    path("reviews/<uuid:public_id>/", views.review_detail, name="review"),
    path("persons/<uuid:public_id>/merge/", views.person_merge, name="person-merge"),
    path("persons/<uuid:public_id>/split/", views.person_split, name="person-split"),
    # Repeat victims, serial perpetrators and counter-allegations (lists, owners and plans).
    path("repeat-victims/", list_views.repeat_victims, name="repeat-victims"),
    path("repeat-victims/queue/", list_views.repeat_queue, name="repeat-queue"),
    path("repeat-victims/<uuid:public_id>/plan/", list_views.repeat_plan, name="repeat-plan"),
    path("serial-perpetrators/", list_views.serial_perpetrators, name="serial-perpetrators"),
    path("serial-perpetrators/<uuid:public_id>/plan/", list_views.perpetrator_plan, name="perpetrator-plan"),
    path("counter-allegations/", list_views.counter_allegations, name="counter-allegations"),
    path("counter-allegations/<uuid:first>/<uuid:second>/", list_views.counter_allegation_decide,
         name="counter-allegation"),
]
