import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from modeltranslation.admin import TabbedTranslationAdmin

from .models import Currency, Rate
from .services import RatesImportError, import_rates

logger = logging.getLogger(__name__)
# The button runs the import inside a web request: each of the bank's two files gets
# at most this many seconds in all, so a slow bank holds a worker for 5 s at worst.
FETCH_NOW_TIMEOUT = 2.5


@admin.register(Currency)
class CurrencyAdmin(TabbedTranslationAdmin):
    list_display = ["code", "name", "position", "is_shown"]
    list_editable = ["position", "is_shown"]
    list_filter = ["is_shown"]
    search_fields = ["code", "name_ky", "name_ru"]
    ordering = ["position", "code"]


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ["currency", "date", "value", "nominal", "source", "is_manual", "fetched_at"]
    list_filter = ["currency", "source", "is_manual"]
    list_select_related = ["currency"]
    date_hierarchy = "date"
    search_fields = ["currency__code"]
    fields = ["currency", "date", "value", "nominal", "source", "is_manual", "fetched_at"]
    readonly_fields = ["source", "is_manual", "fetched_at"]
    autocomplete_fields = ["currency"]

    def save_model(self, request, obj, form, change):
        # Whatever an editor types is a correction the next import must not undo.
        obj.is_manual = True
        obj.source = Rate.Source.MANUAL
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "fetch/",
                self.admin_site.admin_view(self.fetch_view),
                name="rates_rate_fetch",
            ),
            *super().get_urls(),
        ]

    def has_fetch_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = (extra_context or {}) | {"can_fetch": self.has_fetch_permission(request)}
        return super().changelist_view(request, extra_context)

    def fetch_view(self, request):
        """Run the NBKR import now and report what it did, or why it failed."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_fetch_permission(request):
            raise PermissionDenied
        try:
            report = import_rates(timeout=FETCH_NOW_TIMEOUT)
        except RatesImportError as exc:
            # The technical reason (in English, naming hosts and system errors) is for
            # the operator's log; the editor reads a sentence in their own language.
            logger.warning("Rates import from the admin failed: %s", exc)
            self.message_user(
                request,
                gettext(
                    "Import from the National Bank failed; stored rates are unchanged. "
                    "The National Bank's site did not answer or sent something unusable; "
                    "the technical details are in the server log. Try again later."
                ),
                messages.ERROR,
            )
        else:
            self.message_user(request, import_summary(report), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:rates_rate_changelist"))


def import_summary(report) -> str:
    parts = [
        ngettext("%d new rate", "%d new rates", report.created) % report.created,
        ngettext("%d updated", "%d updated", report.updated) % report.updated,
        ngettext("%d unchanged", "%d unchanged", report.unchanged) % report.unchanged,
    ]
    if report.kept_manual:
        parts.append(
            ngettext("%d hand correction kept", "%d hand corrections kept", report.kept_manual)
            % report.kept_manual
        )
    return gettext("Imported from the National Bank: %s.") % ", ".join(parts)
