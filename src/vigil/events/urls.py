from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    # Events out (views.py): force administrators keep the subscriptions, read each one's delivery log and
    # replay; they change a subscription and make it a new secret. The replays, the switch and the new secret
    # are POST-only.
    path("subscriptions/", views.subscription_list, name="subscriptions"),
    path("subscriptions/new/", views.subscription_new, name="subscription-new"),
    path("subscriptions/<uuid:public_id>/", views.subscription_detail, name="subscription"),
    path("subscriptions/<uuid:public_id>/replay/", views.subscription_replay, name="subscription-replay"),
    path("subscriptions/<uuid:public_id>/active/", views.subscription_active, name="subscription-active"),
    path("subscriptions/<uuid:public_id>/edit/", views.subscription_edit, name="subscription-edit"),
    path("subscriptions/<uuid:public_id>/secret/", views.subscription_secret, name="subscription-secret"),
    path("deliveries/<uuid:public_id>/", views.delivery_detail, name="delivery"),
    path("deliveries/<uuid:public_id>/replay/", views.delivery_replay, name="delivery-replay"),
]
