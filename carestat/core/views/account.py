from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from carestat.core import services
from carestat.core.access import get_membership_for_user
from carestat.core.errors import ServiceError
from carestat.core.forms import PasswordChangeForm
from carestat.core.govuk_forms import apply_service_error
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted


@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = PasswordChangeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_own_password(request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            # Keeps this browser signed in; every other session of theirs ends.
            update_session_auth_hash(request, user)
            messages.success(request, "Your password has been changed.")
            return redirect(next_url or "core:home")
    return page(request, "core/password_change.html", "Change your password", form=form, next_url=next_url,
                must_change=request.user.must_change_password)


@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def member_password_reset(request, slug, pk):
    access = org_access(request, slug, Perm.ADMINISTER)
    membership = get_membership_for_user(access, pk)
    one_time, problem = None, None
    if request.method == "POST":
        try:
            one_time = services.reset_member_password(access, membership)
        except ServiceError as exc:
            problem = exc.message
    return page(request, "core/member_password_reset.html", f"Reset {membership.user.display_name}'s password",
                section="members", membership=membership, one_time=one_time, problem=problem)
