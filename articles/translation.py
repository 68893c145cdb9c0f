from modeltranslation.translator import TranslationOptions, register

from .models import Article, Photo, Place, Rubric, Tag


@register(Rubric)
class RubricTranslationOptions(TranslationOptions):
    fields = ("name", "slug")


@register(Place)
class PlaceTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Tag)
class TagTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    fields = ("title", "lead", "body", "image_caption", "image_credit", "dateline")


@register(Photo)
class PhotoTranslationOptions(TranslationOptions):
    fields = ("caption", "credit")
