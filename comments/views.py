from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View, csrf
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.models import Article

from . import services
from .forms import ALREADY_SENT, CommentForm


class CommentPostView(View):
    """Take a reader's comment on a live story of this language's site.

    A success redirects back to the story (post/redirect/get) with a message;
    errors render the form again on its own page, next to the fields, with
    everything the reader typed.
    """

    http_method_names = ["post"]
    template_name = "comments/comment_form_page.html"

    def post(self, request, article_id):
        language = translation.get_language()
        article = get_object_or_404(Article.objects.live(language), pk=article_id)
        if not article.comments_open:
            return self.render_page(article, form=None, status=403)
        form = CommentForm(request.POST, article=article)
        if not form.is_valid():
            return self.render_page(article, form=form.refreshed())
        ip = services.client_address(request)
        if not services.rate_limit_take(ip_hash=services.address_hash(ip)):
            form.add_error(
                None,
                _(
                    "You have sent several comments in a short time. "
                    "Please wait a few minutes and send this one again."
                ),
            )
            return self.render_page(article, form=form.refreshed(), status=429)
        try:
            services.comment_create(
                article=article,
                language=language,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                text=form.cleaned_data["text"],
                parent=form.cleaned_data["parent"],
                ip=ip,
                user_agent=request.headers.get("User-Agent", ""),
                form_nonce=form.form_nonce,
            )
        except services.FormAlreadyUsed:
            # The same form sent twice at once: the first one was stored.
            form.add_error(None, forms.ValidationError(ALREADY_SENT, code="already_sent"))
            return self.render_page(article, form=form.refreshed())
        messages.success(
            request,
            _("Thank you! Your comment will appear after moderation."),
            extra_tags="comment",
        )
        return HttpResponseRedirect(f"{article.get_absolute_url()}#comments")

    def render_page(self, article, *, form, status=200, notice=None):
        return render_comment_page(self.request, article, form=form, status=status, notice=notice)


def render_comment_page(request, article, *, form, status=200, notice=None):
    context = {"article": article, "form": form, "notice": notice}
    return render(
        request=request,
        template_name=CommentPostView.template_name,
        context=context,
        status=status,
    )


@never_cache
@require_safe
def form_tokens(request):
    """This reader's tokens for a comment form on a page cached for everyone."""
    return JsonResponse(
        {"csrfmiddlewaretoken": get_token(request), "started": services.form_token()}
    )


def csrf_failure(request, reason=""):
    """A comment sent without valid security tokens (no script, or a page left open for
    days) comes back on its own page with everything typed and fresh tokens, so sending
    it again works. Any other refused form gets the localized 403 page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "comments:post":
        language = translation.get_language()
        article = Article.objects.live(language).filter(pk=match.kwargs["article_id"]).first()
        if article is not None and article.comments_open:
            typed = {name: request.POST.get(name, "") for name in ("name", "email", "text")}
            typed["parent"] = request.POST.get("parent") or None
            form = CommentForm(article=article, initial=typed)
            notice = _(
                "Your comment has not been sent yet: the page had expired. "
                "Please check it and send it again."
            )
            return render_comment_page(request, article, form=form, status=403, notice=notice)
    return csrf.csrf_failure(request, reason, template_name="403_csrf.html")
