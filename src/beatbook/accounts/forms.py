from django import forms


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    password = forms.CharField(
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label="Authenticator code",
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )
    acknowledge = forms.BooleanField(
        label="I have read the notice above and agree to its terms.",
        error_messages={"required": "You must acknowledge the system-use notice to sign in."},
    )


class TotpConfirmForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from your app",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
