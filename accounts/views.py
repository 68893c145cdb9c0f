from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .forms import AdminLanguageForm
from .models import Profile


@require_POST
@staff_member_required
def admin_language(request):
    """Remember the admin language a staff member picked, then go back where they were."""
    form = AdminLanguageForm(request.POST)
    back = form.data.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("admin:index")
    if not form.is_valid():
        messages.error(request, gettext("This language is not available."))
        return HttpResponseRedirect(back)
    language = form.cleaned_data["language"]
    Profile.objects.update_or_create(user=request.user, defaults={"admin_language": language})
    with translation.override(language):
        messages.success(request, gettext("The admin now speaks your chosen language."))
    return HttpResponseRedirect(back)
