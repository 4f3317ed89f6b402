from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("second-factor/", views.second_factor, name="second-factor"),
    path("second-factor/set-up/", views.second_factor_set_up, name="second-factor-set-up"),
    path("sign-out/", views.sign_out, name="sign-out"),
]
