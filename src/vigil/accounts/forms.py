from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive. Contact your administrator.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class SecondFactorCodeForm(forms.Form):
    """A code from the user's authenticator app (or, where allowed, one of their recovery codes)."""

    code = forms.CharField(max_length=20, error_messages={"required": "Enter the code"})


class SecondFactorSignInForm(SecondFactorCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = ("The 6-digit code your app shows now. If you cannot use your app, "
                                         "enter one of your recovery codes instead.")
        self.fields["code"].error_messages["required"] = "Enter the code from your authenticator app"


class AuthenticatorConfirmForm(SecondFactorCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = "The 6-digit code your app shows after you add Vigil to it."
        self.fields["code"].error_messages["required"] = "Enter the code from your authenticator app"
