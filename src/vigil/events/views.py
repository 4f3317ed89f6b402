"""Events out, the pages (force administrators, `events.manage`): the subscriptions, a new one (its secret
shown once, on the page that confirms it), changing one, a new secret for one (shown once likewise), each
subscription's delivery log with replay, and one delivery's every attempt. Thin: parse, call one service or
selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigil.accounts.access import requires
from vigil.formtools import apply_errors, error_messages, form_error_list

from . import selectors, services
from .forms import ReplaySinceForm, SubscriptionForm

MANAGE = "events.manage"


@requires(MANAGE)
@require_GET
def subscription_list(request):
    return render(request, "events/subscriptions.html", {"subscriptions": selectors.subscriptions_list()})


@never_cache
@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def subscription_new(request):
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription = services.subscription_create(name=data["name"], target_url=data["target_url"],
                                                        kinds=data["kinds"], by=request.user, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:  # the only time the secret is shown: not on a page the browser can come back to
            return render(request, "events/subscription_created.html", {"subscription": subscription})
    return render(request, "events/subscription_new.html", {
        "form": form, "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)


def _detail(request, subscription, *, replay_form=None, status=200):
    replay_form = replay_form or ReplaySinceForm()
    return render(request, "events/subscription.html", {
        "subscription": subscription, "page": selectors.delivery_log(subscription=subscription,
                                                                     page=request.GET.get("page", 1)),
        "replay_form": replay_form,
        "error_list": form_error_list(replay_form) if replay_form.errors else []}, status=status)


@requires(MANAGE)
@require_GET
def subscription_detail(request, public_id):
    return _detail(request, selectors.subscription_get(public_id=public_id))


@requires(MANAGE)
@require_POST
def subscription_replay(request, public_id):
    subscription = selectors.subscription_get(public_id=public_id)
    form = ReplaySinceForm(request.POST)
    if form.is_valid():
        try:
            count = services.subscription_replay(subscription=subscription, since=form.cleaned_data["since"],
                                                 by=request.user, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{count} deliver{'y' if count == 1 else 'ies'} queued to be sent again")
            return redirect("events:subscription", public_id=subscription.public_id)
    return _detail(request, subscription, replay_form=form, status=400)


@requires(MANAGE)
@require_POST
def subscription_active(request, public_id):
    subscription = selectors.subscription_get(public_id=public_id)
    active = request.POST.get("active") == "on"
    services.subscription_change(subscription=subscription, active=active, by=request.user, request=request)
    messages.success(request, f"{subscription.name} switched {'on' if active else 'off'}")
    return redirect("events:subscription", public_id=subscription.public_id)


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def subscription_edit(request, public_id):
    subscription = selectors.subscription_get(public_id=public_id)
    form = SubscriptionForm(request.POST if request.method == "POST" else None, initial={
        "name": subscription.name, "target_url": subscription.target_url, "kinds": subscription.kinds})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_change(subscription=subscription, name=data["name"], kinds=data["kinds"],
                                         target_url=data["target_url"], by=request.user, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The subscription is saved")
            return redirect("events:subscription", public_id=subscription.public_id)
    return render(request, "events/subscription_edit.html", {
        "subscription": subscription, "form": form, "error_list": form_error_list(form) if form.errors else []},
        status=400 if form.errors else 200)


@never_cache
@requires(MANAGE)
@require_POST
def subscription_secret(request, public_id):
    subscription = services.subscription_secret_rotate(subscription=selectors.subscription_get(public_id=public_id),
                                                       by=request.user, request=request)
    # the only time the new secret is shown: not on a page the browser can come back to
    return render(request, "events/subscription_created.html", {"subscription": subscription, "rotated": True})


@requires(MANAGE)
@require_GET
def delivery_detail(request, public_id):
    delivery = selectors.delivery_get(public_id=public_id)
    return render(request, "events/delivery.html", {"delivery": delivery, "attempts": delivery.attempt_log.all()})


@requires(MANAGE)
@require_POST
def delivery_replay(request, public_id):
    delivery = selectors.delivery_get(public_id=public_id)
    try:
        services.delivery_replay(delivery=delivery, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error_messages(error).get("", "The delivery could not be replayed"))
    else:
        messages.success(request, "The delivery is queued to be sent again")
    return redirect("events:delivery", public_id=delivery.public_id)
