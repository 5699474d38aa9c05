"""allauth's sign-up form, answering in the same time whether or not the address is taken.

With ACCOUNT_PREVENT_ENUMERATION allauth answers both alike ("we sent you an e-mail"), but only a
new account's password is hashed, and a password hash is most of the request's time: the
difference told who is registered. For a taken address the password typed is hashed too, and
thrown away.
"""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
