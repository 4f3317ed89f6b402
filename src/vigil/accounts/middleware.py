"""No page without a verified second factor, where one is required (see selectors.second_factor_step)."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from .selectors import SecondFactorStep, second_factor_step

# Pages a signed-in user can open before passing the second factor.
OPEN_BEFORE_SECOND_FACTOR = frozenset({
    "accounts:sign-in", "accounts:sign-out", "accounts:second-factor", "accounts:second-factor-set-up",
})
STEP_URL_NAME = {
    SecondFactorStep.VERIFY: "accounts:second-factor",
    SecondFactorStep.ENROL: "accounts:second-factor-set-up",
}


class SecondFactorRequiredMiddleware:
    """Place after django_otp's OTPMiddleware. Reads settings.DEMO_MODE on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._is_open(request):
            return self.get_response(request)
        step = second_factor_step(user=user, is_verified=user.is_verified(), demo_mode=settings.DEMO_MODE)
        if step is SecondFactorStep.NONE:
            return self.get_response(request)
        target = reverse(STEP_URL_NAME[step])
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)

    @staticmethod
    def _is_open(request) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            return resolve(request.path_info).view_name in OPEN_BEFORE_SECOND_FACTOR
        except Resolver404:
            return False
