from django.urls import path

from . import views

app_name = "cases"

# Each section belongs to one area of the cases app; add a route in its section.
urlpatterns = [
    # Cases, ownership and handovers; "My work".
    path("my-work/", views.my_work, name="my-work"),
]
