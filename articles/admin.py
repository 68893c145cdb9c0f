"""The editors' admin: journalists draft their own stories, editors publish any.

Roles are enforced here and again in `articles.services`, so a forged request
meets the same refusal as a missing button.
"""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.widgets import AutocompleteSelectMultiple, RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from easy_thumbnails.exceptions import InvalidImageFormatError
from modeltranslation.admin import TabbedTranslationAdmin
from reversion_compare.admin import CompareVersionAdmin
from taggit.models import Tag as UntranslatedTag

from . import services
from .forms import PUBLISH, RETURN, SCHEDULE, SUBMIT, UNPUBLISH, ArticleAdminForm
from .images import rendition_url, renditions_make
from .models import LANGUAGE_CODES, Article, Byline, Place, Rubric, Tag, TaggedArticle

# Every save of a story keeps its bylines and tags with it, so a restore brings them back.
reversion.register(Byline)
reversion.register(TaggedArticle)
reversion.register(Article, follow=("bylines", "taggedarticle_set"))

User = get_user_model()

admin.site.site_header = _("Newsroom")
admin.site.site_title = _("Newsroom admin")
admin.site.index_title = _("Editorial desk")
# Stories use the translated articles.Tag; taggit's own tag model stays out of sight.
if admin.site.is_registered(UntranslatedTag):
    admin.site.unregister(UntranslatedTag)
LANGUAGE_NAMES = {"ky": _("Kyrgyz"), "ru": _("Russian")}


class LanguageFilter(admin.SimpleListFilter):
    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [
            ("both", _("Kyrgyz and Russian")),
            ("ky", _("Kyrgyz only")),
            ("ru", _("Russian only")),
            ("none", _("No complete language yet")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "both":
            return queryset.in_language("ky").in_language("ru")
        if value == "ky":
            return queryset.in_language("ky").missing_language("ru")
        if value == "ru":
            return queryset.in_language("ru").missing_language("ky")
        if value == "none":
            return queryset.missing_language("ky").missing_language("ru")
        return queryset


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    fields = ["author", "position"]
    ordering = ["position", "id"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Journalists cannot browse the user admin, so authors come from a plain
        # list of the newsroom's staff rather than an autocomplete.
        if db_field.name == "author":
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True).order_by(
                "last_name", "first_name", "username"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Article)
class ArticleAdmin(TabbedTranslationAdmin, CompareVersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline]
    list_display = [
        "__str__",
        "status_label",
        "language_label",
        "rubric",
        "byline_label",
        "published_at",
        "updated_at",
    ]
    list_filter = [
        "status",
        "rubric",
        LanguageFilter,
        ("authors", admin.RelatedOnlyFieldListFilter),
        "published_at",
    ]
    list_select_related = ["rubric"]
    search_fields = ["title_ky", "title_ru", "lead_ky", "lead_ru", "slug"]
    date_hierarchy = "published_at"
    actions = ["publish_selected", "unpublish_selected"]
    autocomplete_fields = ["rubric", "place"]
    change_list_template = "admin/articles/article/change_list.html"
    history_latest_first = True

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin.js"]

    # Which fields each role edits; status and publication time only move
    # through the workflow buttons, never through a form field.
    story_fields = ["title", "lead", "body"]
    image_fields = ["image", "image_preview", "image_caption", "image_credit"]
    editor_only_fields = ["dateline", "is_main", "is_urgent", "comments_open"]

    def get_fieldsets(self, request, obj=None):
        editor = services.can_publish(user=request.user)
        placement = ["rubric", "place", "tags", "slug"]
        if editor:
            placement += self.editor_only_fields
        workflow = ["status", "published_at", "review_note"]
        if editor:
            workflow.insert(2, "publish_at")
        if obj is not None:
            workflow += ["created_by_name", "updated_at"]
        fieldsets = [
            (None, {"fields": [*self.story_fields]}),
            (_("Placement"), {"fields": placement}),
            (_("Image"), {"fields": [*self.image_fields]}),
            (_("Workflow"), {"fields": workflow}),
        ]
        return self._patch_fieldsets(fieldsets)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "published_at", "image_preview", "created_by_name", "updated_at"]
        if not services.can_publish(user=request.user):
            readonly.append("review_note")
        if obj is not None and obj.slug_locked:
            readonly.append("slug")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not services.can_publish(user=request.user):
            form.base_fields.pop("publish_at", None)
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            # A tag that does not exist yet is added in a pop-up (the "+" link).
            widget = RelatedFieldWidgetWrapper(
                AutocompleteSelectMultiple(db_field, self.admin_site),
                db_field.remote_field,
                self.admin_site,
                can_add_related=request.user.has_perm("articles.add_tag"),
            )
            return forms.ModelMultipleChoiceField(
                queryset=Tag.objects.all(),
                required=False,
                label=db_field.verbose_name,
                widget=widget,
                help_text=_("Start typing to find a tag; “+” adds a new one."),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # Who sees what.

    def get_queryset(self, request):
        queryset = super().get_queryset(request).accessible_to(request.user)
        return queryset.prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author"))
        )

    def has_view_permission(self, request, obj=None):
        if obj is not None and not self._is_accessible(request, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not services.can_edit(article=obj, user=request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_publish_permission(self, request):
        return services.can_publish(user=request.user)

    def _is_accessible(self, request, obj):
        return Article.objects.accessible_to(request.user).filter(pk=obj.pk).exists()

    def view_on_site(self, obj):
        if not (obj.is_live and obj.languages):
            return None
        with translation.override(obj.languages[0]):
            return obj.get_absolute_url()

    # Saving.

    # Counters that readers and moderators move while an editor has the form open.
    live_counters = ("view_count", "comment_count")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.save()
        else:
            obj.version = (form.cleaned_data.get("lock_version") or obj.version) + 1
            obj.save(
                update_fields=[
                    field.name
                    for field in obj._meta.concrete_fields
                    if not field.primary_key and field.name not in self.live_counters
                ]
            )
        if "image" in form.changed_data and obj.image:
            self._make_renditions(request, obj)

    def _make_renditions(self, request, obj):
        # Once, here: readers' pages only look renditions up (articles.images).
        try:
            renditions_make(image=obj.image)
        except (InvalidImageFormatError, OSError):
            self.message_user(
                request,
                gettext(
                    "The story was saved, but its image could not be resized for the site. "
                    "Upload the image again."
                ),
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not change and not article.bylines.exists():
            Byline.objects.create(article=article, author=request.user, position=0)
        self._run_workflow_button(request, article, form)
        # Store the story as it is after its bylines, tags and workflow step.
        if reversion.is_active():
            reversion.add_to_revision(article)

    def _run_workflow_button(self, request, article, form):
        data = request.POST
        try:
            if SUBMIT in data:
                services.submit_for_review(article=article, user=request.user)
                message = gettext("The story was sent to the editors for review.")
            elif PUBLISH in data:
                services.publish(article=article, user=request.user)
                message = gettext("The story is published.")
            elif SCHEDULE in data:
                at = form.cleaned_data.get("publish_at")
                services.publish(article=article, user=request.user, at=at)
                message = gettext("The story is scheduled.")
            elif RETURN in data:
                services.return_to_author(
                    article=article, user=request.user, note=form.cleaned_data.get("review_note")
                )
                message = gettext("The story was returned to its author with your note.")
            elif UNPUBLISH in data:
                services.unpublish(article=article, user=request.user)
                message = gettext("The story was taken off the site.")
            else:
                return
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
            return
        messages.success(request, message)

    # Restoring an old revision brings back its text, not its counters or lock.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        request.article_counters = (
            Article.objects.filter(pk=object_id).values(*self.live_counters, "version").first()
        )
        return super().revision_view(request, object_id, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        counters = getattr(request, "article_counters", None)
        if counters:
            Article.objects.filter(pk=object_id).update(**counters)
        return super().get_object(request, object_id, from_field)

    def compare_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)

    # Only editors see and recover deleted stories (of any author).

    def recoverlist_view(self, request, extra_context=None):
        if not request.user.has_perm(services.EDIT_ANY_PERMISSION):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not request.user.has_perm(services.EDIT_ANY_PERMISSION):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_recover": request.user.has_perm(services.EDIT_ANY_PERMISSION),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    # The change form.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Users without any story permission (moderators) are refused outright,
        # rather than told a story does not exist.
        if not self.has_view_or_change_permission(request) and not self.has_add_permission(request):
            raise PermissionDenied
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id) if object_id else None
        extra_context["workflow_buttons"] = self._workflow_buttons(request, obj)
        if obj is not None:
            extra_context["preview_links"] = [
                (LANGUAGE_NAMES[code], self._preview_url(obj, code)) for code in obj.languages
            ]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _workflow_buttons(self, request, obj):
        user = request.user
        status = obj.status if obj else Article.Status.DRAFT
        editable = obj is None or services.can_edit(article=obj, user=user)
        buttons = []
        if editable and status in (Article.Status.DRAFT, Article.Status.UNPUBLISHED):
            buttons.append((SUBMIT, gettext("Save and submit for review")))
        if editable and services.can_publish(user=user):
            if obj is None or not obj.is_live:
                buttons.append((PUBLISH, gettext("Save and publish now")))
                buttons.append((SCHEDULE, gettext("Save and schedule")))
            else:
                buttons.append((PUBLISH, gettext("Save and keep published")))
            if obj is not None and status == Article.Status.SUBMITTED:
                buttons.append((RETURN, gettext("Save and return to the author")))
            if obj is not None and status == Article.Status.PUBLISHED:
                buttons.append((UNPUBLISH, gettext("Save and unpublish")))
        return buttons

    # A name, not a link: journalists cannot open the user admin.
    @admin.display(description=_("created by"))
    def created_by_name(self, obj):
        user = obj.created_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    @admin.display(description=_("image preview"))
    def image_preview(self, obj):
        if not obj.image:
            return gettext("No image yet.")
        try:
            url = rendition_url(obj.image, "admin")
        except (InvalidImageFormatError, OSError):
            url = ""
        if not url:
            return gettext("The image file cannot be read.")
        return format_html('<img src="{}" alt="" class="article-image-preview">', url)

    # The list.

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        if obj.is_scheduled:
            when = formats.date_format(timezone.localtime(obj.published_at), "DATETIME_FORMAT")
            return gettext("Scheduled for %(time)s") % {"time": when}
        return obj.get_status_display()

    @admin.display(description=_("languages"))
    def language_label(self, obj):
        return ", ".join(str(LANGUAGE_NAMES[code]) for code in obj.languages) or "—"

    @admin.display(description=_("authors"))
    def byline_label(self, obj):
        return ", ".join(str(byline) for byline in obj.bylines.all())

    @admin.action(description=_("Publish the selected stories"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, services.publish)

    @admin.action(description=_("Unpublish the selected stories"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, services.unpublish)

    def _bulk(self, request, queryset, step):
        done = 0
        for article in queryset:
            try:
                step(article=article, user=request.user)
            except ValidationError as error:
                messages.warning(request, f"{article}: {' '.join(error.messages)}")
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext("%(count)d story changed.", "%(count)d stories changed.", done)
                % {"count": done},
            )

    # Extra pages: the reader's preview and the translation status.

    def get_urls(self):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        return [
            path(
                "translations/",
                self.admin_site.admin_view(self.translations_view),
                name="%s_%s_translations" % info,
            ),
            path(
                "<path:object_id>/preview/<str:language>/",
                self.admin_site.admin_view(self.preview_view),
                name="%s_%s_preview" % info,
            ),
            *super().get_urls(),
        ]

    def _preview_url(self, obj, language):
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_preview", args=[quote(obj.pk), language]
        )

    @method_decorator(never_cache)
    def preview_view(self, request, object_id, language):
        """The story as readers will see it, drafts included; only for its editors."""
        if language not in LANGUAGE_CODES:
            raise Http404
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        with translation.override(language):
            response = TemplateResponse(
                request,
                "articles/article_detail.html",
                {"article": article, "object": article, "preview": True},
            )
            response.render()
        return response

    def translations_view(self, request):
        """Recent stories with the languages each has, to spot a missing version."""
        if not request.user.has_perm("articles.edit_any_article"):
            raise PermissionDenied
        missing = request.GET.get("missing")
        stories = Article.objects.select_related("rubric").order_by("-updated_at")
        if missing in LANGUAGE_CODES:
            stories = stories.missing_language(missing)
        opts = self.model._meta
        rows = [
            {
                "article": article,
                "languages": [
                    {
                        "code": code,
                        "name": LANGUAGE_NAMES[code],
                        "present": article.has_language(code),
                    }
                    for code in LANGUAGE_CODES
                ],
                "first_missing": next(
                    (code for code in LANGUAGE_CODES if not article.has_language(code)), None
                ),
                "url": reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(article.pk)]
                ),
            }
            for article in stories[:100]
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": gettext("Translation status"),
            "rows": rows,
            "language_names": [LANGUAGE_NAMES[code] for code in LANGUAGE_CODES],
            "missing": missing,
            "filters": [
                ("", gettext("All recent stories")),
                ("ky", gettext("Missing Kyrgyz")),
                ("ru", gettext("Missing Russian")),
            ],
        }
        return TemplateResponse(request, "admin/articles/article/translations.html", context)


class EditorsOnlyModuleMixin:
    """Journalists may look rubrics, places and tags up (for the story form's
    choices and autocomplete) but the lists themselves are the editors' tools."""

    def has_module_permission(self, request):
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


@admin.register(Rubric)
class RubricAdmin(EditorsOnlyModuleMixin, TabbedTranslationAdmin):
    list_display = ["__str__", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name_ky", "name_ru"]


@admin.register(Place)
class PlaceAdmin(EditorsOnlyModuleMixin, TabbedTranslationAdmin):
    search_fields = ["name_ky", "name_ru"]


@admin.register(Tag)
class TagAdmin(EditorsOnlyModuleMixin, TabbedTranslationAdmin):
    list_display = ["__str__", "slug"]
    search_fields = ["name_ky", "name_ru", "slug"]
    ordering = ["name_ky", "pk"]
    # The slug is made from the Kyrgyz name on creation and stays, like a story's URL.
    readonly_fields = ["slug"]
