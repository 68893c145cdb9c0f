from modeltranslation.translator import TranslationOptions, register

from .models import Article, Photo, Place, Rubric, StoryNote, Tag


@register(Rubric)
class RubricTranslationOptions(TranslationOptions):
    fields = ("name", "slug")


@register(Place)
class PlaceTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Tag)
class TagTranslationOptions(TranslationOptions):
    fields = ("name", "slug")


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    fields = ("title", "lead", "body", "image_caption", "image_credit", "dateline", "slug")


@register(StoryNote)
class StoryNoteTranslationOptions(TranslationOptions):
    fields = ("text",)


@register(Photo)
class PhotoTranslationOptions(TranslationOptions):
    fields = ("caption", "credit")
