"""Demo content: rubrics, places, tags, users and stories built from the CC0 corpus.

Everything is keyed by natural keys (slugs, usernames) and made deterministically,
so loading twice changes nothing.
"""

import io
import random
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from authors.models import Author

from .embeds import PHOTO_WORD
from .images import renditions_make
from .models import Article, Byline, Photo, Place, Rubric, StoryNote, Tag
from .slugs import slug_from_title, unique_slug

DATA = Path(__file__).resolve().parent / "demo_data"
BISHKEK = ZoneInfo("Asia/Bishkek")

RUBRICS = [
    # slug_ky, slug_ru, name_ky, name_ru, colour for the demo images
    ("sayasat", "politika", "Саясат", "Политика", (38, 70, 130)),
    ("ekonomika", "ekonomika", "Экономика", "Экономика", (22, 110, 90)),
    ("koom", "obschestvo", "Коом", "Общество", (150, 80, 40)),
    ("aymaktar", "regiony", "Аймактар", "Регионы", (90, 110, 40)),
    ("madaniyat", "kultura", "Маданият", "Культура", (120, 50, 120)),
    ("sport", "sport", "Спорт", "Спорт", (180, 60, 50)),
    ("duyno", "v-mire", "Дүйнө", "В мире", (40, 100, 150)),
    ("rasmiy", "ofitsialno", "Расмий", "Официально", (80, 80, 80)),
]

PLACES = [
    ("Бишкек", "Бишкек"),
    ("Ош", "Ош"),
    ("Жалал-Абад", "Джалал-Абад"),
    ("Каракол", "Каракол"),
    ("Нарын", "Нарын"),
    ("Талас", "Талас"),
    ("Баткен", "Баткен"),
    ("Душанбе", "Душанбе"),
    ("Москва", "Москва"),
    ("Алматы", "Алматы"),
    ("Ташкент", "Ташкент"),
]

TAGS = [
    ("Өкмөт", "Правительство"),
    ("Жогорку Кеңеш", "Жогорку Кенеш"),
    ("Билим берүү", "Образование"),
    ("Саламаттык", "Здравоохранение"),
    ("Айыл чарба", "Сельское хозяйство"),
    ("Туризм", "Туризм"),
    ("Энергетика", "Энергетика"),
    ("Жаштар", "Молодёжь"),
    ("Маданият", "Культура"),
    ("Эл аралык", "Международные отношения"),
    ("ЖККУ", "ОДКБ"),
    ("Чек ара", "Граница"),
]

# The main story's gallery: caption (ky, ru) and where the subject is (focal point, %).
GALLERY = [
    ("Ала-Тоо аянтындагы салтанат", "Торжество на площади Ала-Тоо", (30, 40)),
    ("Ош шаарындагы базар", "Рынок в Оше", (70, 50)),
    ("Ысык-Көлдүн жээги", "Берег Иссык-Куля", (50, 65)),
]
# A video shown inside the main story's text (loaded only when a reader presses play).
DEMO_VIDEO = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"

USERS = [
    # username, group, first name, last name, superuser
    ("journalist", "Journalist", "Айгүл", "Асанова", False),
    ("editor", "Editor", "Бакыт", "Токтогулов", False),
    ("moderator", "Moderator", "Нурлан", "Сыдыков", False),
    ("senior", "Senior editor", "Гүлнара", "Жумабаева", False),
    ("admin", None, "Админ", "", True),
]

# Contributors without an account: slug, kind, name (ky, ru), bio (ky, ru).
CONTRIBUTORS = [
    (
        "gulnara-toktorova",
        "correspondent",
        ("Гүлнара Токторова", "Гульнара Токторова"),
        ("Агенттиктин Оштогу кабарчысы.", "Собственный корреспондент агентства в Оше."),
    ),
    (
        "ala-too-press",
        "agency",
        ("Ала-Тоо Пресс", "Ала-Тоо Пресс"),
        ("Аймактык өнөктөш маалымат агенттиги.", "Региональное партнёрское информагентство."),
    ),
]

STORY_COUNT = 40


def sentences(language: str) -> list[str]:
    path = DATA / f"{language}-sentences.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def reference_story() -> tuple[str, list[str]]:
    """Title and paragraphs of the reference page, without its furniture."""
    lines = [line.strip() for line in (DATA / "reference-story-ky.txt").read_text().splitlines()]
    lines = [line for line in lines if line and not line.startswith("•")]
    title = lines[0]
    body = []
    for line in lines[1:]:
        if line == "Пикир":
            break
        if re.fullmatch(r"\S+ \d+", line):  # the rubric and comment count, "Саясат 0"
            continue
        body.append(line)
    # The page's dateline is ours to render; the stored text starts after it.
    body[0] = re.sub(r"^.+?/Кабар/\.\s*", "", body[0])
    return title, body


def _paragraphs(text_paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in text_paragraphs)


def demo_image(*, colour: tuple[int, int, int], seed: int) -> ContentFile:
    """A 1200×675 JPEG: a gradient in the rubric's colour with a few shapes."""
    rng = random.Random(seed)
    width, height = 1200, 675
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = 0.55 + 0.45 * y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(c * shade) for c in colour))
    for _ in range(6):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(40, 220)
        light = tuple(min(255, c + 60) for c in colour)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=light, width=6)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return ContentFile(buffer.getvalue(), name=f"demo-{seed}.jpg")


@transaction.atomic
def load_rubrics_places_tags() -> tuple[list[Rubric], list[Place], list[Tag]]:
    rubrics = []
    for position, (slug_ky, slug_ru, name_ky, name_ru, _colour) in enumerate(RUBRICS):
        rubric, _ = Rubric.objects.update_or_create(
            slug_ky=slug_ky,
            defaults={
                "slug_ru": slug_ru,
                "name_ky": name_ky,
                "name_ru": name_ru,
                "position": position,
                "is_active": True,
            },
        )
        rubrics.append(rubric)
    places = []
    for name_ky, name_ru in PLACES:
        place, _ = Place.objects.update_or_create(name_ky=name_ky, defaults={"name_ru": name_ru})
        places.append(place)
    tags = []
    for name_ky, name_ru in TAGS:
        # Each language's slug from that language's name (Tag.derive_slugs makes the Russian one).
        tag, _ = Tag.objects.update_or_create(
            slug_ky=slug_from_title(name_ky, language="ky"),
            defaults={"name": name_ky, "name_ky": name_ky, "name_ru": name_ru},
        )
        tags.append(tag)
    return rubrics, places, tags


@transaction.atomic
def load_users(*, password: str) -> list[User]:
    users = []
    for username, group, first, last, superuser in USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@newsroom.example",
                "is_staff": True,
                "is_superuser": superuser,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        if group:
            user.groups.set([Group.objects.get(name=group)])
        users.append(user)
    return users


def load_authors(*, users: list[User]) -> list[Author]:
    """The staff's own profiles, then a correspondent and a partner agency without accounts."""
    authors = [Author.objects.for_user(user) for user in users]
    for slug, kind, (name_ky, name_ru), (bio_ky, bio_ru) in CONTRIBUTORS:
        author, _ = Author.objects.update_or_create(
            slug=slug,
            defaults={
                "kind": kind,
                "name_ky": name_ky,
                "name_ru": name_ru,
                "bio_ky": bio_ky,
                "bio_ru": bio_ru,
            },
        )
        authors.append(author)
    return authors


def _story_texts(rng: random.Random, pool: list[str]) -> tuple[str, str, list[str]]:
    titles = [s.rstrip(".") for s in pool if 35 <= len(s) <= 95 and not s.endswith("?")]
    title = rng.choice(titles)
    lead = rng.choice([s for s in pool if 60 <= len(s) <= 200])
    body = [
        " ".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(4, 7))
    ]
    return title, lead, body


@transaction.atomic
def load_reference_story(*, rubric: Rubric, place: Place, author: Author) -> Article:
    title, paragraphs = reference_story()
    article, _ = Article.objects.update_or_create(
        slug_ky=slug_from_title(title, language="ky"),
        defaults={
            "title_ky": title,
            "body_ky": _paragraphs(paragraphs),
            "lead_ky": paragraphs[0],
            "rubric": rubric,
            "place": place,
            "status": Article.Status.PUBLISHED,
            "published_at": datetime(2021, 5, 19, 11, 30, tzinfo=BISHKEK),
            "created_by": author.user,
        },
    )
    Byline.objects.get_or_create(article=article, author=author, defaults={"position": 0})
    article.tags.set([Tag.objects.get(name_ky="ЖККУ"), Tag.objects.get(name_ky="Эл аралык")])
    return article


@transaction.atomic
def load_stories(
    *, rubrics: list[Rubric], places: list[Place], tags: list[Tag], authors: list[Author]
) -> list[Article]:
    """About forty stories over the last three weeks: most in both languages, some in one.

    Signed in turn by each of `authors`; every fifth story has a second byline.
    """
    rng = random.Random(2021)
    ky_pool, ru_pool = sentences("ky"), sentences("ru")
    now = timezone.now().replace(second=0, microsecond=0)
    stories = []
    used = {slug_from_title(reference_story()[0], language="ky")}
    for n in range(STORY_COUNT):
        languages = ("ky", "ru") if n % 8 not in (3, 6) else (("ky",) if n % 8 == 3 else ("ru",))
        rubric_index = n % len(rubrics)
        fields = {
            "rubric": rubrics[rubric_index],
            "place": places[n % len(places)],
            "status": Article.Status.PUBLISHED,
            "is_main": n == 0,
            "is_urgent": n in (1, 5),
            "created_by": authors[0].user,
        }
        # Kept from the first load: reloading must not move a story in time.
        first_published = now - timedelta(hours=2 + n * 11, minutes=rng.randrange(60))
        ky_title, ky_lead, ky_body = _story_texts(rng, ky_pool)
        ru_title, ru_lead, ru_body = _story_texts(rng, ru_pool)
        if "ky" in languages:
            fields |= {
                "title_ky": ky_title,
                "lead_ky": ky_lead,
                "body_ky": _paragraphs(ky_body),
                "image_caption_ky": f"{RUBRICS[rubric_index][2]}. {ky_lead[:80]}",
                "image_credit_ky": "Кабар",
            }
        if "ru" in languages:
            fields |= {
                "title_ru": ru_title,
                "lead_ru": ru_lead,
                "body_ru": _paragraphs(ru_body),
                "image_caption_ru": f"{RUBRICS[rubric_index][3]}. {ru_lead[:80]}",
                "image_credit_ru": "Кабар",
            }
        # Each language's address from its own title (two stories may draw the same
        # one), made here so that a reload finds the story again by the first.
        slugs = {}
        for code in languages:
            base = slug_from_title(fields[f"title_{code}"], language=code)
            slugs[f"slug_{code}"] = unique_slug(base, taken=used.__contains__)
            used.add(slugs[f"slug_{code}"])
        key, slug = next(iter(slugs.items()))
        fields |= slugs
        article, _ = Article.objects.update_or_create(
            **{key: slug},
            defaults=fields,
            create_defaults=fields | {"published_at": first_published},
        )
        if not article.image:
            article.image.save(
                f"demo-{slug[:40]}.jpg",
                demo_image(colour=RUBRICS[rubric_index][4], seed=n),
                save=True,
            )
            article.image_renditions = renditions_make(image=article.image)
            article.save(update_fields=["image_renditions"])
        signers = [authors[n % len(authors)]]
        if n % 5 == 4:
            signers.append(authors[(n + 1) % len(authors)])
        for position, author in enumerate(signers):
            Byline.objects.get_or_create(
                article=article, author=author, defaults={"position": position}
            )
        article.tags.set(rng.sample(tags, k=rng.randint(1, 3)))
        stories.append(article)
    return stories


EMBARGOED = {
    "title_ky": "Улуттук банк эсептик ченди өзгөртүү боюнча чечимин жарыялайт",
    "lead_ky": "Чечим банктын башкармасынын отурумунан кийин расмий түрдө жарыяланат.",
    "body_ky": "<p>Улуттук банктын башкармасы эсептик чен боюнча кезектеги чечимин кабыл алды. "
    "Маалымат эмбарго аяктаганга чейин жарыяланбайт.</p>",
    "title_ru": "Нацбанк объявит решение об учётной ставке",
    "lead_ru": "Решение будет официально объявлено после заседания правления банка.",
    "body_ru": "<p>Правление Национального банка приняло очередное решение по учётной ставке. "
    "Сведения не публикуются до окончания эмбарго.</p>",
}


@transaction.atomic
def load_notes_and_embargo(*, stories: list[Article], rubric: Rubric, author: User) -> Article:
    """A correction under one story, an update under another, and a story under embargo
    (scheduled for the embargo's end, three days after the first load)."""
    corrected, updated = stories[1], stories[2]
    StoryNote.objects.get_or_create(
        article=corrected,
        kind=StoryNote.Kind.CORRECTION,
        defaults={
            "text_ky": "Макаланын мурунку версиясында күн туура эмес көрсөтүлгөн. Текст оңдолду.",
            "text_ru": "В прежней версии материала была неверно указана дата. Текст исправлен.",
            "noted_at": corrected.published_at + timedelta(hours=3),
            "created_by": author,
        },
    )
    StoryNote.objects.get_or_create(
        article=updated,
        kind=StoryNote.Kind.UPDATE,
        defaults={
            "text_ky": "Макалага расмий жооп кошулду.",
            "text_ru": "В материал добавлен официальный ответ.",
            "noted_at": updated.published_at + timedelta(hours=1),
            "created_by": author,
        },
    )
    until = timezone.now().replace(second=0, microsecond=0) + timedelta(days=3)
    fields = {
        **EMBARGOED,
        "rubric": rubric,
        "status": Article.Status.PUBLISHED,
        "created_by": author,
    }
    # Kept from the first load, like every demo story's time.
    article, _ = Article.objects.update_or_create(
        slug_ky=slug_from_title(EMBARGOED["title_ky"], language="ky"),
        defaults=fields,
        create_defaults=fields | {"published_at": until, "embargo_until": until},
    )
    Byline.objects.get_or_create(
        article=article, author=Author.objects.for_user(author), defaults={"position": 0}
    )
    return article


@transaction.atomic
def load_story_media(*, article: Article) -> None:
    """A gallery, a photo inside the text and a video for one story, as an editor
    would add them; a second load adds nothing."""
    if not article.photos.exists():
        for position, (caption_ky, caption_ru, focal) in enumerate(GALLERY, start=1):
            photo = Photo(
                article=article,
                position=position,
                caption_ky=caption_ky,
                caption_ru=caption_ru,
                credit_ky="Кабар",
                credit_ru="Кабар",
                focal_x=focal[0],
                focal_y=focal[1],
            )
            colour = RUBRICS[position % len(RUBRICS)][4]
            photo.image.save(
                f"demo-gallery-{article.pk}-{position}.jpg",
                demo_image(colour=colour, seed=1000 + position),
                save=False,
            )
            photo.save()
            photo.renditions = renditions_make(image=photo.image, focal=focal)
            photo.save(update_fields=["renditions"])
    in_text = article.photos.first()
    for code in ("ky", "ru"):
        body = getattr(article, f"body_{code}") or ""
        word = PHOTO_WORD[code]
        if body and f"[{word}" not in body:
            head, sep, tail = body.partition("</p>")
            body = f"{head}{sep}<p>[{word} {in_text.pk}]</p>{tail}<p>[видео {DEMO_VIDEO}]</p>"
            setattr(article, f"body_{code}", body)
    article.save()
