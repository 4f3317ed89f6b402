from django.conf import settings


def service(request):
    """What every page needs to draw the layout: service name, demo banner, role navigation."""
    from vigil.accounts.navigation import navigation_for

    user = getattr(request, "user", None)
    return {
        "service_name": settings.VIGIL_SERVICE_NAME,
        "force_name": settings.VIGIL_FORCE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "navigation": navigation_for(user, request.path) if user is not None else [],
    }
