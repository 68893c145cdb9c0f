from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Profile

User = get_user_model()
INTERNAL_APPS = ["easy_thumbnails"]

# Django stores "Can add story" in English in the database; these say it in the
# reader's language, built from the model's own translated name.
DEFAULT_PERMISSION_NAMES = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission) -> str:
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in DEFAULT_PERMISSION_NAMES and model and model._meta.model_name == model_name:
        name = DEFAULT_PERMISSION_NAMES[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    if model is None:
        return name
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {name}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionChoiceField
            # Thumbnail bookkeeping is nobody's job to grant.
            kwargs["queryset"] = Permission.objects.exclude(
                content_type__app_label__in=INTERNAL_APPS
            ).select_related("content_type")
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["admin_language"]


# Django's user and group admin, with translated permission names and the
# person's own choices beside their account.
for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class NewsroomUserAdmin(TranslatedPermissionsMixin, UserAdmin):
    inlines = [*UserAdmin.inlines, ProfileInline]


@admin.register(Group)
class NewsroomGroupAdmin(TranslatedPermissionsMixin, GroupAdmin):
    pass
