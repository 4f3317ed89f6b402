from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_search, name="search"),
    path("<uuid:public_id>/", views.person_detail, name="detail"),
    path("<uuid:public_id>/open-restricted/", views.restricted_open, name="open-restricted"),
    path("<uuid:public_id>/safe-contact/", views.safe_contact_edit, name="safe-contact"),
    path("<uuid:public_id>/viewers/", views.record_viewers, name="viewers"),
    path("<uuid:public_id>/subject-access/", views.subject_access_export, name="subject-access"),
]
