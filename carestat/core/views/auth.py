from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from carestat.core.forms import SignInForm
from carestat.core.signin_guard import account_wait_seconds
from carestat.core.views.base import page, posted


@sensitive_post_parameters("password")
@never_cache
def signin(request):
    # Signing in belongs to no organisation: it reads only the account (and writes the audit
    # entry), so no organisation is in scope and none is needed.
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignInForm(posted(request))
    if request.method == "POST" and form.is_valid():
        wait = account_wait_seconds(form.cleaned_data["email"])
        if wait:
            return page(request, "core/error.html", "Sign-in slowed down", status=429,
                        heading="Wait a moment before you try again",
                        body=f"This account has had many failed sign-in attempts. Wait {wait} seconds, then "
                             "sign in again. If you did not make them, tell your CareStat admin.")
        user = authenticate(
            request, username=form.cleaned_data["email"].strip().lower(), password=form.cleaned_data["password"]
        )
        if user is not None:
            login(request, user)
            if user.must_change_password:
                return redirect(f"{reverse('core:password_change')}?{urlencode({'next': next_url})}"
                                if next_url else "core:password_change")
            return redirect(next_url or "core:home")
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        form.add_error(None, "The email address or password is not right. "
                             "After 5 failed attempts the account is locked for 15 minutes.")
    return page(request, "core/signin.html", "Sign in", form=form, next_url=next_url, demo=_demo_accounts())


def _demo_accounts() -> dict | None:
    """The demo's accounts and password, only while the demo is served (CARESTAT_DEMO)."""
    from django.conf import settings

    if not settings.CARESTAT_DEMO:
        return None
    from carestat import demo

    return {"password": demo.PASSWORD, "sign_ins": demo.SIGN_INS}


def signout(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    logout(request)
    return redirect("core:signin")


def locked_out(request, credentials=None, *args, **kwargs):
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return page(request, "core/error.html", "Sign-in locked", status=429,
                heading="Sign-in locked for now",
                body=f"There were too many failed sign-in attempts. Try again in {minutes} minutes, "
                     "or ask your CareStat admin to help.")
