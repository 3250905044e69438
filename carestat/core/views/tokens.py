from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from carestat.core import services
from carestat.core.errors import ServiceError
from carestat.core.forms import TokenForm
from carestat.core.govuk_forms import apply_service_error
from carestat.core.models import ApiToken
from carestat.core.views.base import page, posted


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(posted(request))
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.create_api_token(request.user, form.cleaned_data["name"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user)
    return page(request, "core/tokens.html", "API tokens", form=form, tokens=rows, new_token=new_token,
                token_days=settings.CARESTAT_API_TOKEN_DAYS)


@login_required
@require_http_methods(["POST"])
def token_revoke(request, pk):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("No such token")
    services.revoke_api_token(request.user, token)
    messages.success(request, f"Revoked token ‘{token.name}’. Anything using it can no longer sign in.")
    return redirect("core:tokens")
