from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles.models import Byline
from articles.views import NewestStoriesMixin

from .models import Author


class AuthorView(NewestStoriesMixin, ListView):
    """One author's live stories in the reader's language, newest first."""

    template_name = "authors/author_detail.html"

    def get_queryset(self):
        stories = super().get_queryset()
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        signed = Byline.objects.filter(author=self.author).values("article")
        return stories.filter(pk__in=signed)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)

    def get_cache_tags(self, context):
        pk = self.author.pk
        return [f"author-{pk}", f"author-list-{pk}", *super().get_cache_tags(context)]
