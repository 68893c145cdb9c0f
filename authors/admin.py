from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from .models import Author


@admin.register(Author)
class AuthorAdmin(TabbedTranslationAdmin):
    list_display = ["__str__", "kind", "account", "slug"]
    list_filter = ["kind"]
    search_fields = ["name_ky", "name_ru", "slug", "user__username"]
    fields = ["name", "kind", "bio", "photo", "user", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_staff=True)
                .order_by("last_name", "first_name", "username")
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user":
            field.label_from_instance = account_label
        return field

    @admin.display(description=_("user account"), ordering="user__username")
    def account(self, obj):
        return account_label(obj.user) if obj.user_id else "—"


def account_label(user):
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()
