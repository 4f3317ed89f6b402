"""Reading subscriptions and the delivery log (opaque ids and kinds only: no personal data is shown)."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from .models import Delivery, Subscription

LOG_PAGE_SIZE = 50


def subscriptions_list():
    counts = {status: Count("deliveries", filter=Q(deliveries__status=status)) for status in Delivery.Status.values}
    return Subscription.objects.annotate(**{f"n_{status}": count for status, count in counts.items()}).order_by("name")


def subscription_get(*, public_id) -> Subscription:
    return get_object_or_404(Subscription, public_id=public_id)


def delivery_log(*, subscription: Subscription, page=1) -> Page:
    rows = (subscription.deliveries.select_related("event").annotate(tries=Count("attempt_log"))
            .order_by("-event__occurred_at", "-pk"))
    return Paginator(rows, LOG_PAGE_SIZE).get_page(page)


def delivery_get(*, public_id) -> Delivery:
    return get_object_or_404(Delivery.objects.select_related("event", "subscription"), public_id=public_id)
