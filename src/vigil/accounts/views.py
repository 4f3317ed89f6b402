from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as second_factor_login

from vigil.insight.lessons_selectors import sign_in_destination
from vigil.people.selectors import restricted_access_alerts

from .access import PUBLIC, public, requires
from .forms import AuthenticatorConfirmForm, SecondFactorSignInForm, SignInForm
from .selectors import totp_device_qr_svg, totp_device_secret, user_has_second_factor
from .services import (
    second_factor_verify,
    totp_device_confirm,
    totp_device_start,
)

WRONG_CODE = "The code is not correct. Enter the code your authenticator app shows now"


class SignInView(LoginView):
    vigil_permission = PUBLIC
    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        # Unread briefings (lessons from reviews) first, with the way on to the page asked for.
        return sign_in_destination(user=self.request.user, then=super().get_success_url())


@public
@require_POST
def sign_out(request):
    logout(request)
    return redirect("accounts:sign-in")


def _next_url(request) -> str:
    """Where to go after a second-factor step: the page asked for, if it is on this site, else home."""
    candidate = request.GET.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse("accounts:home")


@never_cache
@requires("accounts.use_second_factor")
def second_factor(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_second_factor(user=request.user):
        return redirect("accounts:second-factor-set-up")
    form = SecondFactorSignInForm(request.POST or None)
    if form.is_valid():
        device = second_factor_verify(user=request.user, code=form.cleaned_data["code"], request=request)
        if device is not None:
            second_factor_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/second_factor.html", {"form": form})


@never_cache
@requires("accounts.use_second_factor")
def second_factor_set_up(request):
    # With a device already, only a verified session may replace it: a password alone must not do.
    if user_has_second_factor(user=request.user) and not request.user.is_verified():
        return redirect("accounts:second-factor")
    device = totp_device_start(user=request.user)
    form = AuthenticatorConfirmForm(request.POST or None)
    if form.is_valid():
        recovery_codes = totp_device_confirm(device=device, code=form.cleaned_data["code"], request=request)
        if recovery_codes is not None:
            second_factor_login(request, device)
            return render(request, "accounts/recovery_codes.html",
                          {"codes": recovery_codes, "next_url": _next_url(request)})
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/second_factor_set_up.html", {
        "form": form,
        "secret": totp_device_secret(device=device),
        "qr_svg": totp_device_qr_svg(device=device),
    })


@requires("accounts.view_home")
def home(request):
    return render(request, "accounts/home.html", {
        "role": request.user.role_info,
        "teams": request.user.teams.order_by("name"),
        "has_second_factor": user_has_second_factor(user=request.user),
        "restricted_access_alerts": restricted_access_alerts(owner=request.user),
    })
