from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import services
from .models import Comment, StopWord

# The queue shows what needs a moderator first, then the newest.
PENDING_FIRST = Case(
    When(status=Comment.Status.PENDING, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    # Approve/Reject come right after the comment, in view on a laptop without scrolling.
    list_display = [
        "excerpt",
        "row_actions",
        "name",
        "story",
        "language",
        "status",
        "many_links",
        "created_at",
        "moderated_by",
        "moderated_at",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        "status",
        "language",
        ("article", admin.RelatedOnlyFieldListFilter),
        "created_at",
        "many_links",
    ]
    list_select_related = ["article", "moderated_by"]
    search_fields = ["text", "name", "email", "article__title_ky", "article__title_ru"]
    ordering = [PENDING_FIRST.asc(), "-created_at"]
    actions = ["approve_selected", "reject_selected", "mark_selected_spam"]
    fields = [
        "article",
        "parent",
        "name",
        "email",
        "text",
        "language",
        "status",
        "allow_links",
        "many_links",
        "created_at",
        "same_address",
        "moderated_by",
        "moderated_at",
    ]
    readonly_fields = [
        "article",
        "parent",
        "name",
        "email",
        "text",
        "language",
        "many_links",
        "created_at",
        "same_address",
        "moderated_by",
        "moderated_at",
    ]

    def has_add_permission(self, request):
        # Comments come from readers only.
        return False

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(" ".join(obj.text.split())).chars(80)

    @admin.display(description=_("story"), ordering="article")
    def story(self, obj):
        return str(obj.article)

    @admin.display(description=_("from the same address"))
    def same_address(self, obj):
        # The salted hash identifies no one, but groups one sender's comments for review.
        if not obj.ip_hash:
            return "-"
        count = Comment.objects.from_address(obj.ip_hash).count()
        return format_html(
            '<a href="{}?ip_hash={}">{}</a>',
            reverse("admin:comments_comment_changelist"),
            obj.ip_hash,
            ngettext("%(count)d comment", "%(count)d comments", count) % {"count": count},
        )

    @admin.display(description=_("moderate"))
    def row_actions(self, obj):
        # Buttons submit the change list's own form (and its CSRF token) to a
        # per-comment URL, so one click moderates without nesting forms.
        buttons = []
        for action, label, status in [
            ("approve", _("Approve"), Comment.Status.APPROVED),
            ("reject", _("Reject"), Comment.Status.REJECTED),
        ]:
            if obj.status != status:
                buttons.append(
                    format_html(
                        '<button type="submit" class="button" formaction="{}" formmethod="post"'
                        ' formnovalidate name="moderate" value="{}">{}</button>',
                        reverse(f"admin:comments_comment_{action}", args=[obj.pk]),
                        action,
                        label,
                    )
                )
        return format_html(" ".join(["{}"] * len(buttons)), *buttons)

    def save_model(self, request, obj, form, change):
        new_status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data:
            services.comments_moderate(
                comments=Comment.objects.filter(pk=obj.pk), status=new_status, user=request.user
            )

    def delete_model(self, request, obj):
        services.comments_delete(comments=Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.comments_delete(comments=queryset)

    def _moderate(self, request, queryset, status, message):
        changed = services.comments_moderate(comments=queryset, status=status, user=request.user)
        self.message_user(request, message(changed) % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._moderate(
            request,
            queryset,
            Comment.Status.APPROVED,
            lambda n: ngettext("%(count)d comment approved.", "%(count)d comments approved.", n),
        )

    @admin.action(description=_("Reject selected comments"), permissions=["change"])
    def reject_selected(self, request, queryset):
        self._moderate(
            request,
            queryset,
            Comment.Status.REJECTED,
            lambda n: ngettext("%(count)d comment rejected.", "%(count)d comments rejected.", n),
        )

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_selected_spam(self, request, queryset):
        self._moderate(
            request,
            queryset,
            Comment.Status.SPAM,
            lambda n: ngettext(
                "%(count)d comment marked as spam.", "%(count)d comments marked as spam.", n
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/approve/",
                self.admin_site.admin_view(self.one_click_view(Comment.Status.APPROVED)),
                name="comments_comment_approve",
            ),
            path(
                "<int:pk>/reject/",
                self.admin_site.admin_view(self.one_click_view(Comment.Status.REJECTED)),
                name="comments_comment_reject",
            ),
            *super().get_urls(),
        ]

    def one_click_view(self, status):
        @require_POST
        def view(request, pk):
            comment = get_object_or_404(Comment, pk=pk)
            if not self.has_change_permission(request, comment):
                raise PermissionDenied
            services.comments_moderate(
                comments=Comment.objects.filter(pk=pk), status=status, user=request.user
            )
            self.message_user(
                request,
                _("“%(comment)s” is now: %(status)s.")
                % {"comment": comment, "status": Comment.Status(status).label},
                messages.SUCCESS,
            )
            back = request.headers.get("Referer", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = reverse("admin:comments_comment_changelist")
            return HttpResponseRedirect(back)

        return view


@admin.register(StopWord)
class StopWordAdmin(admin.ModelAdmin):
    list_display = ["word", "created_at"]
    search_fields = ["word"]
