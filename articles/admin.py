"""The editors' admin: journalists draft their own stories, editors publish any.

Who may do what is decided in `articles.workflow` alone; this module asks it.
"""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.widgets import AutocompleteSelectMultiple, RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, ProtectedError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from js_asset import Media
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline
from reversion.errors import RevertError
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin
from taggit.models import Tag as UntranslatedTag

from authors.models import Author
from authors.services import sign_creator

from . import workflow
from .forms import ArticleAdminForm, PhotoForm
from .images import renditions_refresh, renditions_stale
from .models import (
    LANGUAGE_CODES,
    Article,
    Byline,
    Photo,
    Place,
    Rubric,
    StoryNote,
    Tag,
    TaggedArticle,
)
from .views import story_notes

# Every save of a story keeps its bylines and tags with it, so a restore brings them back.
reversion.register(Byline)
reversion.register(TaggedArticle)
reversion.register(Article, follow=("bylines", "taggedarticle_set"))

Action = workflow.Action

admin.site.site_header = _("Newsroom")
admin.site.site_title = _("Newsroom admin")
admin.site.index_title = _("Editorial desk")
# Stories use the translated articles.Tag; taggit's own tag model stays out of sight.
if admin.site.is_registered(UntranslatedTag):
    admin.site.unregister(UntranslatedTag)
LANGUAGE_NAMES = {"ky": _("Kyrgyz"), "ru": _("Russian")}


def focal_point_picker(image, picture, *, prefix=""):
    """The uncropped preview of a stored image; a click on it sets the focal point
    fields beside it (static/js/focal_point.js), which also work without it."""
    if not image:
        return gettext("No image yet.")
    preview = picture.preview
    if not preview:
        return gettext("The image file cannot be read.")
    return format_html(
        '<div class="focal-point-picker" data-focal-x="{}" data-focal-y="{}">'
        '<img src="{}" width="{}" height="{}" alt="">'
        '<span class="focal-point-marker" hidden></span></div>'
        '<p class="help">{}</p>',
        f"{prefix}focal_x",
        f"{prefix}focal_y",
        preview["url"],
        preview["width"],
        preview["height"],
        gettext("Click the face or the detail that every crop must keep."),
    )


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


def addresses_by_language(obj):
    """A story's or a tag's slug in each language, linked to its page there."""
    links = []
    for code in LANGUAGE_CODES:
        slug = getattr(obj, f"slug_{code}", "")
        if slug:
            with translation.override(code):
                url = obj.get_absolute_url()
            links.append((LANGUAGE_NAMES[code], url, slug))
    return format_html_join(", ", '{}: <a href="{}"><code>{}</code></a>', links) or "—"


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    fields = ["author", "position"]
    ordering = ["position", "id"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Journalists cannot browse the profiles' admin, so authors come from a plain
        # list of full names rather than an autocomplete.
        if db_field.name == "author":
            kwargs["queryset"] = Author.objects.all()
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "author":
            field.label_from_instance = lambda author: author.label
        return field


class EmbargoFilter(admin.SimpleListFilter):
    title = _("embargo")
    parameter_name = "embargo"

    def lookups(self, request, model_admin):
        return [("yes", _("Under embargo")), ("no", _("No embargo in force"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.under_embargo()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.under_embargo().values("pk"))
        return queryset


class StoryNoteInline(TranslationStackedInline):
    """Corrections, clarifications and updates, added once readers have seen the story.

    Not kept in the story's versions: restoring an older text never takes a
    correction back.
    """

    model = StoryNote
    # One empty note ready to fill in, without the page script.
    extra = 1
    fields = ["kind", "text", "noted_at"]
    ordering = ["noted_at", "id"]
    classes = ["story-notes"]


class PhotoInline(TranslationStackedInline):
    """The story's photos: its gallery, in order, and those shown inside the text."""

    model = Photo
    form = PhotoForm
    extra = 1
    fields = ["image", "preview", "focal_x", "focal_y", "caption", "credit", "position", "code"]
    readonly_fields = ["preview", "code"]
    ordering = ["position", "id"]
    verbose_name = _("photo")
    verbose_name_plural = _(
        "Photos: the gallery after the text, in order; a photo whose line is put in the "
        "text is shown there instead"
    )

    # Whoever may edit the story may edit its photos.
    def _story_admin(self):
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self._story_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj):
        story_admin = self._story_admin()
        if obj is None:
            return story_admin.has_add_permission(request)
        return story_admin.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return focal_point_picker(obj.image, obj.picture)

    @admin.display(description=_("line for the text"))
    def code(self, obj):
        if not obj.pk:
            return gettext("Shown once the story is saved.")
        return format_html(
            '<code>{}</code><p class="help">{}</p>',
            obj.code,
            gettext("Put this line in a paragraph of its own to show the photo in the text."),
        )


@admin.register(Article)
class ArticleAdmin(TabbedTranslationAdmin, CompareVersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline, PhotoInline]
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
        EmbargoFilter,
        ("authors", admin.RelatedOnlyFieldListFilter),
        "published_at",
    ]
    list_select_related = ["rubric"]
    search_fields = ["title_ky", "title_ru", "lead_ky", "lead_ru", "slug_ky", "slug_ru"]
    date_hierarchy = "published_at"
    actions = ["publish_selected", "unpublish_selected"]
    autocomplete_fields = ["rubric", "place"]
    change_list_template = "admin/articles/article/change_list.html"
    history_latest_first = True
    object_history_template = "admin/articles/article/object_history.html"
    # The lock version and the readers' counters are bookkeeping, not the story's text.
    compare_exclude = ["version", "view_count", "comment_count", "search_ky", "search_ru"]

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin.js", "js/focal_point.js"]

    # Which fields each role edits; status and publication time only move
    # through the workflow buttons, never through a form field.
    story_fields = ["title", "lead", "body"]
    image_fields = [
        "image",
        "image_preview",
        "image_focal_x",
        "image_focal_y",
        "image_caption",
        "image_credit",
    ]
    editor_only_fields = ["dateline", "is_main", "is_urgent", "comments_open"]

    def get_fieldsets(self, request, obj=None):
        editor = self.has_publish_permission(request)
        placement = ["rubric", "place", "tags", "slug"]
        locked = [code for code in LANGUAGE_CODES if obj is not None and obj.slug_locked_in(code)]
        if locked:
            placement.insert(placement.index("slug"), "addresses")
        if obj is not None and obj.retired_slugs.exists():
            placement.append("old_addresses")
        if editor:
            placement += self.editor_only_fields
        workflow = ["status", "published_at", "review_note"]
        if editor:
            workflow[2:2] = ["publish_at", "embargo_until"]
        if obj is not None:
            workflow += ["created_by_name", "updated_at"]
        fieldsets = [
            (None, {"fields": [*self.story_fields]}),
            (_("Placement"), {"fields": placement}),
            (_("Image"), {"fields": [*self.image_fields]}),
            (_("Workflow"), {"fields": workflow}),
        ]
        # A published address is shown as the address it is, not as a form field.
        hidden = {f"slug_{code}" for code in locked}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in self._patch_fieldsets(fieldsets)
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "status",
            "published_at",
            "image_preview",
            "created_by_name",
            "updated_at",
            "addresses",
            "old_addresses",
        ]
        if not workflow.is_editor(request.user):
            readonly.append("review_note")
        if obj is not None:
            # Each language's address, once public; a translation added later gets its own.
            readonly += [f"slug_{code}" for code in LANGUAGE_CODES if obj.slug_locked_in(code)]
        return readonly

    def get_inlines(self, request, obj):
        # Notes belong to a story readers have seen; before that, the text is corrected.
        if obj is not None and obj.has_been_live:
            return [*self.inlines, StoryNoteInline]
        return self.inlines

    @admin.display(description=_("addresses"))
    def addresses(self, obj):
        """The story's published address in each language (fixed from publication on)."""
        if obj is None or obj.pk is None:
            return "—"
        return addresses_by_language(obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not workflow.is_editor(request.user):
            form.base_fields.pop("publish_at", None)
        # The class is made for this request, so the form may know its user.
        form.user = request.user
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
        if obj is not None and not workflow.may(Action.EDIT, article=obj, user=request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_publish_permission(self, request):
        return workflow.is_editor(request.user)

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
        # The workflow step is made on the story before its one save.
        action = workflow.action_from_post(request.POST)
        form.workflow_entry = workflow.apply(
            action,
            article=obj,
            user=request.user,
            note=form.cleaned_data.get("review_note") or "",
            at=form.cleaned_data.get("publish_at"),
        )
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
        self._refresh_renditions(request, obj, changed=form.changed_data)
        if form.workflow_entry:
            messages.success(request, self.step_messages[action])
        form.embargo_entry = workflow.embargo_entry(
            before=getattr(form, "embargo_before", obj.embargo_until), after=obj.embargo_until
        )

    step_messages = {
        Action.SUBMIT: _("The story was sent to the editors for review."),
        Action.PUBLISH: _("The story is published."),
        Action.SCHEDULE: _("The story is scheduled."),
        Action.RETURN: _("The story was returned to its author with your note."),
        Action.UNPUBLISH: _("The story was taken off the site."),
    }

    def _refresh_renditions(self, request, obj, *, changed):
        """Make the renditions of a new image or a moved focal point, once, here:
        readers' pages only read the manifest (articles.images). A restored older
        version gets the renditions of its own image and focal point back."""
        fields = obj.rendition_fields
        if not (set(fields[:3]) & set(changed) or renditions_stale(obj=obj, fields=fields)):
            return
        try:
            renditions_refresh(obj=obj, fields=fields)
        except (OSError, ValueError, SyntaxError):
            self.message_user(
                request,
                gettext(
                    "The story was saved, but its image could not be resized for the site. "
                    "Upload the image again."
                ),
                messages.WARNING,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is StoryNote:
            for note in formset.save(commit=False):
                if note.pk is None:
                    note.created_by = request.user
                note.save()
            for note in formset.deleted_objects:
                note.delete()
            return
        super().save_formset(request, form, formset, change)
        if formset.model is not Photo:
            return
        for photo_form in formset.forms:
            photo = photo_form.instance
            if photo.pk:
                self._refresh_renditions(request, photo, changed=photo_form.changed_data)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not change:
            sign_creator(article=article, user=request.user)
        # Store the story as it is after its bylines and tags.
        if reversion.is_active():
            reversion.add_to_revision(article)
        workflow.notify_authors(
            article=article, user=request.user, entry=getattr(form, "workflow_entry", None)
        )

    # The history: Django's list of changed fields plus the workflow step, kept as
    # data and worded when read (workflow.describe), in the reader's language.

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        match = request.resolver_match
        opts = self.model._meta
        if match and match.url_name == f"{opts.app_label}_{opts.model_name}_revision":
            version = Version.objects.select_related("revision").get(pk=match.args[1])
            restored_from = version.revision.date_created.isoformat()
            message.append(
                workflow.step_entry(
                    Action.RESTORE, article=form.instance, **{"from": restored_from}
                )
            )
        elif match and match.url_name == f"{opts.app_label}_{opts.model_name}_recover":
            message.append(workflow.step_entry(Action.RECOVER, article=form.instance))
        if getattr(form, "embargo_entry", None):
            message.append(form.embargo_entry)
        if getattr(form, "workflow_entry", None):
            message.append(form.workflow_entry)
        return message

    # reversion's VersionAdmin copies the message into the revision already worded
    # in the saver's language; keep the data instead.

    def log_addition(self, request, obj, message):
        entry = admin.ModelAdmin.log_addition(self, request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.change_message)
        return entry

    def log_change(self, request, obj, message):
        entry = admin.ModelAdmin.log_change(self, request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.change_message)
        return entry

    # Restore and recover: reversion brings back the whole revision (the story,
    # its bylines and tags) inside a transaction and shows it in the change form;
    # a GET rolls it back, a valid POST keeps it. Who may do it is asked first.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        object_id = unquote(object_id)
        article = Article.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if article is None:
            return self._refuse(
                request, Action.RESTORE, gettext("This story no longer exists."), "deleted"
            )
        workflow.authorize(Action.RESTORE, article=article, user=request.user)
        version = Version.objects.get_for_object(article).filter(pk=version_id).first()
        if version is None:
            return self._refuse(
                request,
                Action.RESTORE,
                gettext("This story has no such saved version."),
                "unknown version",
                article=article,
            )
        when = formats.date_format(
            timezone.localtime(version.revision.date_created), "DATETIME_FORMAT"
        )
        context = {
            "title": gettext("Restore the version of %(time)s") % {"time": when},
            "revert": True,
            **(extra_context or {}),
        }
        return self._revision_form(
            request,
            version,
            template="reversion/articles/article/revision_form.html",
            context=context,
            keep=workflow.kept_on_restore(article),
            action=Action.RESTORE,
        )

    def recover_view(self, request, version_id, extra_context=None):
        workflow.authorize(Action.RECOVER, article=None, user=request.user)
        version = Version.objects.get_deleted(Article).filter(pk=version_id).first()
        if version is None:
            return self._refuse(
                request,
                Action.RECOVER,
                gettext("This deleted story cannot be found; it may have been recovered already."),
                "unknown or not deleted version",
            )
        context = {
            "title": gettext("Recover %(name)s") % {"name": version.object_repr},
            "recover": True,
            **(extra_context or {}),
        }
        return self._revision_form(
            request,
            version,
            template="reversion/articles/article/recover_form.html",
            context=context,
            keep=workflow.recovered_state(),
            action=Action.RECOVER,
        )

    def _refuse(self, request, action, message, reason, article=None):
        workflow.refuse(action, article=article, user=request.user, reason=reason)
        messages.error(request, message)
        opts = self.model._meta
        if article is not None:
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_history", article.pk)
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def _revision_form(self, request, version, *, template, context, keep, action):
        try:
            with transaction.atomic():
                version.revision.revert(delete=True)
                Article.objects.filter(pk=version.object_id).update(**keep)
                with self.create_revision(request):
                    response = self.changeform_view(
                        request, quote(version.object_id), request.path, context
                    )
                if response.status_code == 200:
                    response.template_name = template
                    response.render()
                    # Showing the version (or a form with errors) changes nothing.
                    transaction.set_rollback(True)
        except (RevertError, ProtectedError, IntegrityError) as error:
            # E.g. its old slug now belongs to another story.
            return self._refuse(
                request,
                action,
                gettext("This version cannot be brought back: it clashes with another story."),
                f"revert failed: {error}",
            )
        return response

    def compare_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)

    # Only editors see and recover deleted stories (of any author).

    def recoverlist_view(self, request, extra_context=None):
        workflow.authorize(Action.RECOVER, article=None, user=request.user)
        return super().recoverlist_view(request, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_recover": workflow.may(Action.RECOVER, article=None, user=request.user),
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
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if request.method == "POST":
            if object_id and obj is None:
                return self._refuse(
                    request,
                    workflow.action_from_post(request.POST),
                    gettext("This story no longer exists."),
                    f"story {object_id} missing",
                )
            if self.has_change_permission(request, obj) or obj is None:
                # A button the role does not have is a forged request: 403, nothing saved.
                workflow.authorize(
                    workflow.action_from_post(request.POST), article=obj, user=request.user
                )
        extra_context["workflow_buttons"] = self._workflow_buttons(request, obj)
        if obj is not None:
            extra_context["preview_links"] = [
                (LANGUAGE_NAMES[code], self._preview_url(obj, code)) for code in obj.languages
            ]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, *args, **kwargs):
        # The rich-text editor's modules come with an inline import map; under our
        # Content-Security-Policy it runs only with this request's nonce.
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)

    def _workflow_buttons(self, request, obj):
        return [
            (workflow.BUTTONS[action], workflow.button_label(action, obj))
            for action in workflow.available(article=obj, user=request.user)
        ]

    # A name, not a link: journalists cannot open the user admin.
    @admin.display(description=_("created by"))
    def created_by_name(self, obj):
        user = obj.created_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    @admin.display(description=_("old addresses"))
    def old_addresses(self, obj):
        """Where the story used to be: those addresses still lead to it (a 301)."""
        if obj is None or obj.pk is None:
            return "—"
        old = obj.retired_slugs.order_by("language", "slug")
        items = ((LANGUAGE_NAMES[item.language], item.slug) for item in old)
        return format_html_join(", ", "{}: <code>{}</code>", items) or "—"

    @admin.display(description=_("image preview"))
    def image_preview(self, obj):
        return focal_point_picker(obj.image, obj.picture, prefix="image_")

    # The list.

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        # An embargo is said under the status, not in a column of its own: the list
        # keeps every column in view on a laptop.
        if obj.is_embargoed:
            when = formats.date_format(timezone.localtime(obj.embargo_until), "DATETIME_FORMAT")
            return format_html(
                '{}<br><span class="embargo-note">{}</span>',
                self._status_text(obj),
                gettext("Embargoed until %(time)s") % {"time": when},
            )
        return self._status_text(obj)

    def _status_text(self, obj):
        if obj.is_scheduled:
            when = formats.date_format(timezone.localtime(obj.live_from), "DATETIME_FORMAT")
            return gettext("Scheduled for %(time)s") % {"time": when}
        if obj.status == Article.Status.DRAFT and obj.review_note:
            return gettext("Returned with a note")
        return obj.get_status_display()

    @admin.display(description=_("languages"))
    def language_label(self, obj):
        return ", ".join(str(LANGUAGE_NAMES[code]) for code in obj.languages) or "—"

    @admin.display(description=_("authors"))
    def byline_label(self, obj):
        return ", ".join(str(byline) for byline in obj.bylines.all())

    @admin.action(description=_("Publish the selected stories"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, workflow.publish)

    @admin.action(description=_("Unpublish the selected stories"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, workflow.unpublish)

    def _bulk(self, request, queryset, step):
        done = 0
        for article in queryset:
            try:
                step(article=article, user=request.user)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else error
                messages.warning(request, f"{article}: {reason}")
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
        """The story as readers will see it, drafts included; only for those who may edit it."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if language not in LANGUAGE_CODES:
            raise Http404
        article = self.get_object(request, unquote(object_id))
        if article is None or not (
            article.is_live or workflow.can(Action.PREVIEW, article=article, user=request.user)
        ):
            raise Http404
        with translation.override(language):
            notes, modified_at = story_notes(article, language)
            response = TemplateResponse(
                request,
                "articles/article_detail.html",
                {
                    "article": article,
                    "object": article,
                    "preview": True,
                    "notes": notes,
                    "modified_at": modified_at,
                },
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
    list_display = ["__str__", "addresses"]
    search_fields = ["name_ky", "name_ru", "slug_ky", "slug_ru"]
    ordering = ["name_ky", "pk"]
    # Each language's slug is made from that language's name when it first appears
    # and stays, like a story's URL: shown as the addresses they make.
    exclude = ["slug"]
    readonly_fields = ["addresses"]

    @admin.display(description=_("addresses"))
    def addresses(self, obj):
        return addresses_by_language(obj) if obj is not None and obj.pk else "—"
