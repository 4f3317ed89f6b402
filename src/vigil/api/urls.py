from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("schema/", views.ApiSchema.as_view(api_version="v1"), name="schema"),
]
