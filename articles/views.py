from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import Article, Rubric, Tag


class LiveArticlesMixin:
    """Every public view reads stories through Article.objects.live()."""

    def get_queryset(self):
        return Article.objects.live().select_related("rubric", "place")


class HomeView(LiveArticlesMixin, ListView):
    template_name = "articles/home.html"
    paginate_by = 20


class ArticleDetailView(LiveArticlesMixin, DetailView):
    pass


class RubricView(LiveArticlesMixin, ListView):
    template_name = "articles/rubric_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.rubric = get_object_or_404(Rubric.objects.active(), slug=self.kwargs["slug"])
        return super().get_queryset().filter(rubric=self.rubric)


class TagView(LiveArticlesMixin, ListView):
    template_name = "articles/tag_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)
