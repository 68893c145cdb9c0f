"""A large archive of realistic stories for load tests: `manage.py generate_stories N`.

The stories go through the same model code as the admin's: `Article.derive_fields()`
(the body sanitizer of the admin's editor, the per-language flags, a slug per language) and
`comment_counts_refresh()`; only the writing is batched (`bulk_create`), so 10,000
stories take seconds, not the hours one `save()` per story and relation would.

Texts come from the CC0 corpus of the demo (articles/demo_data); everything is drawn
from one seeded random generator, so the same seed gives the same archive.
"""

import os
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.utils import timezone

from authors.models import Author
from comments.models import Comment
from comments.services import address_hash, comment_counts_refresh

from .cache import bump_content_version
from .demo import PLACES, RUBRICS, TAGS, demo_image, sentences
from .images import renditions_make
from .models import LANGUAGE_CODES, Article, Byline, Place, RetiredSlug, Rubric, Tag, TaggedArticle

BISHKEK = ZoneInfo("Asia/Bishkek")
RUBRIC_COUNT = 6
TAGS_PER_LANGUAGE = 200
AUTHOR_COUNT = 24
# Contributors without an account: slug, kind, Kyrgyz and Russian names.
CONTRIBUTORS = [
    ("generated-correspondent-osh", "correspondent", "Ош кабарчысы", "Корреспондент в Оше"),
    ("generated-partner-agency", "agency", "Өнөктөш агенттик", "Партнёрское агентство"),
]
BODY_CHARACTERS = 3000
STORIES_PER_DAY = 40  # about what kabar.kg publishes on a working day
IMAGE_COUNT = 12  # --images: a few shared files, not one per story
GENERATED_ADDRESS = "192.0.2.2"  # TEST-NET-1: never a real reader
# From this many stories on, PostgreSQL's full-text indexes are rebuilt once at the end.
DEFER_INDEXES_FROM = 2000

FIRST_NAMES = ["Айгүл", "Бакыт", "Нурлан", "Жылдыз", "Эркин", "Гүлнара", "Азамат", "Чолпон"]
LAST_NAMES = ["Асанова", "Токтогулов", "Сыдыков", "Мамбетова", "Осмонов", "Жумабаева"]
COMMENTS = {
    "ky": [
        "Жакшы макала, рахмат!",
        "Бул маселе боюнча дагы жазсаңар экен.",
        "Макулмун, абдан пайдалуу маалымат.",
        "Кызыктуу жаңылык, күтүп жүргөм.",
    ],
    "ru": [
        "Спасибо за оперативную новость.",
        "Будем следить за развитием событий.",
        "Хорошо написано, всё по делу.",
        "А когда будет продолжение?",
    ],
}


@dataclass(frozen=True)
class Generated:
    stories: int
    comments: int
    seconds: float
    # CPU of the writer thread's PostgreSQL backend (BatchWriter), when there was one.
    writer_database_cpu: float | None = None


class Corpus:
    """Sentences of one language, sorted into what titles, leads and paragraphs need."""

    def __init__(self, language: str):
        pool = sentences(language)
        self.titles = [s.rstrip(".") for s in pool if 35 <= len(s) <= 95 and s[-1] not in "?!"]
        self.leads = [s for s in pool if 60 <= len(s) <= 200]
        self.pool = pool

    def title(self, rng: random.Random) -> str:
        return rng.choice(self.titles)

    def lead(self, rng: random.Random) -> str:
        return rng.choice(self.leads)

    def body(self, rng: random.Random) -> str:
        """About BODY_CHARACTERS of HTML as an editor leaves it: paragraphs, now and
        then a subheading, a quote, a list or a link, and paragraphs pasted from a
        word processor with the styling the sanitizer must strip."""
        parts, length = [], 0
        while length < BODY_CHARACTERS:
            text = " ".join(rng.choice(self.pool) for _ in range(rng.randint(2, 5)))
            kind = rng.random()
            if kind < 0.06 and parts:
                text = rng.choice(self.titles)
                html = f"<h2>{text}</h2>"
            elif kind < 0.10:
                html = f"<blockquote><p>{text}</p></blockquote>"
            elif kind < 0.13:
                items = [rng.choice(self.pool) for _ in range(3)]
                text = " ".join(items)
                html = "<ul>" + "".join(f"<li><p>{item}</p></li>" for item in items) + "</ul>"
            elif kind < 0.20:
                first, _, rest = text.partition(" ")
                link = '<a href="https://kabar.kg/">kabar.kg</a>'
                html = f"<p><strong>{first}</strong> {rest} {link}</p>"
            elif kind < 0.28:
                html = f'<p style="margin:0"><span style="font-family:Calibri">{text}</span></p>'
            else:
                html = f"<p>{text}</p>"
            parts.append(html)
            length += len(text)
        return "".join(parts)


def ensure_rubrics() -> list[Rubric]:
    """The demo's first RUBRIC_COUNT rubrics, matched by their Kyrgyz slug."""
    rubrics = []
    for position, (slug_ky, slug_ru, name_ky, name_ru, _colour) in enumerate(
        RUBRICS[:RUBRIC_COUNT]
    ):
        rubric, _ = Rubric.objects.get_or_create(
            slug_ky=slug_ky,
            defaults={
                "slug_ru": slug_ru,
                "name_ky": name_ky,
                "name_ru": name_ru,
                "position": position,
            },
        )
        rubrics.append(rubric)
    return rubrics


def ensure_places() -> list[Place]:
    return [
        Place.objects.get_or_create(name_ky=name_ky, defaults={"name_ru": name_ru})[0]
        for name_ky, name_ru in PLACES
    ]


def _tag_words(rng: random.Random, language: str, count: int, *, exclude: set[str]) -> list[str]:
    words = {
        word.strip("«»\"'.,:;!?()—–-").capitalize()
        for sentence in sentences(language)
        for word in sentence.split()
    }
    words = sorted(w for w in words if 6 <= len(w) <= 16 and w.isalpha() and w not in exclude)
    return rng.sample(words, count)


def ensure_tags(rng: random.Random) -> list[Tag]:
    """TAGS_PER_LANGUAGE tags named in both languages: the demo's, then corpus words."""
    existing = list(Tag.objects.exclude(name_ky="").exclude(name_ru="").order_by("pk"))
    missing = TAGS_PER_LANGUAGE - len(existing)
    if missing <= 0:
        return existing[:TAGS_PER_LANGUAGE]
    names = [pair for pair in TAGS if pair[0] not in {t.name_ky for t in existing}]
    taken_ky = {t.name_ky for t in existing} | {ky for ky, _ru in names}
    extra = missing - len(names)
    if extra > 0:
        names += zip(
            _tag_words(rng, "ky", extra, exclude=taken_ky),
            _tag_words(rng, "ru", extra, exclude={t.name_ru for t in existing}),
            strict=True,
        )
    slugs = taken_slugs(Tag, owner="tag")
    new = []
    for name_ky, name_ru in names[:missing]:
        tag = Tag(name_ky=name_ky, name_ru=name_ru)
        tag.derive_slugs(slug_taken=slugs.__contains__)
        slugs.update((tag.slug_ky, tag.slug_ru))
        new.append(tag)
    return existing + Tag.objects.bulk_create(new)


def taken_slugs(model, *, owner: str) -> set[str]:
    """Every address (slug) a story or tag has, or had, in any language: a new one
    must be none of them (Article.address_taken), checked in memory."""
    slugs = set()
    for code in LANGUAGE_CODES:
        slugs.update(
            model.objects.exclude(**{f"slug_{code}": ""}).values_list(f"slug_{code}", flat=True)
        )
    slugs.update(
        RetiredSlug.objects.filter(**{f"{owner}__isnull": False}).values_list("slug", flat=True)
    )
    slugs.difference_update({None, ""})
    return slugs


def ensure_authors() -> list[User]:
    """Journalists to sign the stories; they cannot log in (no usable password)."""
    group = Group.objects.filter(name="Journalist").first()
    authors = []
    for n in range(AUTHOR_COUNT):
        user, created = User.objects.get_or_create(
            username=f"reporter{n + 1:02d}",
            defaults={
                "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
                "last_name": LAST_NAMES[n % len(LAST_NAMES)],
                "is_staff": True,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            if group:
                user.groups.add(group)
        authors.append(user)
    return authors


def ensure_profiles(users: list[User]) -> dict[int | None, list[Author]]:
    """Each journalist's profile, keyed by user id; under None, the contributors
    without an account who co-sign now and then."""
    profiles: dict[int | None, list[Author]] = {
        user.pk: [Author.objects.for_user(user)] for user in users
    }
    profiles[None] = [
        Author.objects.update_or_create(
            slug=slug, defaults={"kind": kind, "name_ky": name_ky, "name_ru": name_ru}
        )[0]
        for slug, kind, name_ky, name_ru in CONTRIBUTORS
    ]
    return profiles


def _signers(rng: random.Random, story: Article, profiles) -> list[Author]:
    """The journalist who wrote it, with a co-author or contributor one time in five."""
    own = profiles[story.created_by_id][0]
    if rng.random() < 0.8:
        return [own]
    others = [p for key, group in profiles.items() if key != story.created_by_id for p in group]
    return [own, rng.choice(others)]


def ensure_images(rng: random.Random) -> list[tuple[str, dict]]:
    """IMAGE_COUNT JPEGs in the media storage, shared by the generated stories, each
    with its renditions (made once, then found on a story that shows it)."""
    images = []
    field = Article._meta.get_field("image")
    for n in range(IMAGE_COUNT):
        name = f"articles/generated/story-{n + 1:02d}.jpg"
        if not default_storage.exists(name):
            colour = RUBRICS[n % len(RUBRICS)][4]
            name = default_storage.save(name, demo_image(colour=colour, seed=rng.randrange(10**6)))
        manifest = (
            Article.objects.filter(image=name)
            .exclude(image_renditions={})
            .values_list("image_renditions", flat=True)
            .first()
        )
        if not manifest:
            manifest = renditions_make(image=field.attr_class(None, field, name))
        images.append((name, manifest))
    return images


def publication_times(rng: random.Random, *, count: int, now: datetime) -> list[datetime]:
    """`count` times over count / STORIES_PER_DAY days, mostly in Bishkek's working
    hours, newest first; the newest a few minutes ago."""
    days = max(1, round(count / STORIES_PER_DAY))
    today = timezone.localtime(now, BISHKEK).replace(hour=0, minute=0, second=0, microsecond=0)
    times = []
    for _ in range(count):
        day = today - timedelta(days=rng.randrange(days))
        hour = rng.choice(range(7, 23)) if rng.random() < 0.9 else rng.randrange(24)
        times.append(day + timedelta(hours=hour, minutes=rng.randrange(60)))
    times.sort(reverse=True)
    # Stories of today's later hours are not written yet: move them into the past.
    latest = now - timedelta(minutes=5)
    return [t if t <= latest else latest - timedelta(minutes=rng.randrange(1, 600)) for t in times]


def _languages(n: int) -> tuple[str, ...]:
    """Most stories in both languages; one in twelve only in Kyrgyz, one only in Russian."""
    return {5: ("ky",), 11: ("ru",)}.get(n % 12, ("ky", "ru"))


@contextmanager
def search_indexes_deferred(*, enabled: bool) -> Iterator[None]:
    """On PostgreSQL, drop the story table's full-text (GIN) indexes while the rows go
    in and build them once at the end: updating them row by row costs several times
    more (the PostgreSQL manual's advice for populating a database). They are rebuilt
    exactly as the migrations defined them, whatever happens in between."""
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [Article._meta.db_table, "% USING gin %"],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute(f'ANALYZE "{Article._meta.db_table}"')


def _write_batch(*, stories, bylines, tagged, comments, batch_size: int) -> None:
    """Save one batch of stories and what belongs to them, in one transaction."""
    with transaction.atomic():
        Article.objects.bulk_create(stories, batch_size=batch_size)
        Byline.objects.bulk_create(bylines)
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=story, tag=tag)
            for story, story_tags in tagged
            for tag in story_tags
        )
        Comment.objects.bulk_create(comments, batch_size=batch_size)
        # The same count moderation keeps (comment_counts_refresh), in the same batch.
        comment_counts_refresh(article_ids={c.article_id for c in comments})


class BatchWriter:
    """Saves batches (`_write_batch`), on PostgreSQL in a thread of its own: while
    PostgreSQL indexes one batch and computes its Russian search vectors, Python makes
    the next one, so two cores work at once. Batches are written in order, one at a
    time, on the writer's own connection. Inside a transaction (a test's), another
    connection would not see its rows: batches are then written in place.

    `database_cpu`: what the writer's PostgreSQL backend spent, once it is closed.
    """

    def __init__(self):
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.database_cpu: float | None = None
        self._executor = ThreadPoolExecutor(max_workers=1) if self.threaded else None
        self._pending: Future | None = None

    def write(self, **batch) -> None:
        if not self.threaded:
            _write_batch(**batch)
            return
        self._wait()  # one batch in flight: memory stays bounded
        self._pending = self._executor.submit(_write_batch, **batch)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        if not self.threaded:
            return
        try:
            self._wait()
        finally:
            self.database_cpu = self._executor.submit(_close_connection).result()
            self._executor.shutdown()


def _close_connection() -> float | None:
    spent = database_cpu_seconds()
    connections.close_all()
    return spent


def database_cpu_seconds() -> float | None:
    """CPU time of this thread's connection's PostgreSQL backend, when it runs on this
    host."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # another host, or not ours to read
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def generate_stories(
    *,
    count: int,
    batch_size: int = 500,
    seed: int = 1,
    images: bool = False,
    progress: Callable[[int, int, float], None] | None = None,
) -> Generated:
    """Create `count` published stories with bylines, tags and approved comments."""
    start = time.monotonic()
    rng = random.Random(seed)
    corpora = {code: Corpus(code) for code in ("ky", "ru")}
    rubrics, places = ensure_rubrics(), ensure_places()
    # Their own generators: whether tags or images already exist must not change the stories.
    tags = ensure_tags(random.Random(f"{seed}-tags"))
    authors = ensure_authors()
    profiles = ensure_profiles(authors)
    image_names = ensure_images(random.Random(f"{seed}-images")) if images else []
    slugs = taken_slugs(Article, owner="article")
    now = timezone.now()
    times = publication_times(rng, count=count, now=now)
    ip_hash = address_hash(GENERATED_ADDRESS)
    made = comments = 0
    writer = BatchWriter()
    with search_indexes_deferred(enabled=count >= DEFER_INDEXES_FROM):
        try:
            while made < count:
                size = min(batch_size, count - made)
                stories = []
                for n in range(made, made + size):
                    story = _story(
                        rng, corpora, _languages(n), rubrics=rubrics, places=places, authors=authors
                    )
                    story.published_at = times[n]
                    story.is_main = n == 0
                    if image_names:
                        story.image, story.image_renditions = rng.choice(image_names)
                    story.derive_fields(slug_taken=slugs.__contains__)
                    slugs.update((story.slug_ky, story.slug_ru))
                    stories.append(story)
                # Made before the stories are saved: their ids are filled in when written.
                bylines = [
                    Byline(article=story, author=author, position=position)
                    for story in stories
                    for position, author in enumerate(_signers(rng, story, profiles))
                ]
                tagged = [(story, rng.sample(tags, k=rng.randint(1, 5))) for story in stories]
                new_comments = [
                    comment
                    for story in stories
                    for comment in _comments(rng, story, ip_hash=ip_hash, now=now)
                ]
                writer.write(
                    stories=stories,
                    bylines=bylines,
                    tagged=tagged,
                    comments=new_comments,
                    batch_size=batch_size,
                )
                made += size
                comments += len(new_comments)
                if progress:
                    progress(made, count, time.monotonic() - start)
        finally:
            writer.close()  # every batch written before the indexes are rebuilt
    bump_content_version()  # bulk_create sends no signals: cached fragments are stale now
    return Generated(
        stories=made,
        comments=comments,
        seconds=time.monotonic() - start,
        writer_database_cpu=writer.database_cpu,
    )


def _story(rng, corpora, languages, *, rubrics, places, authors) -> Article:
    fields = {
        "rubric": rng.choice(rubrics),
        "place": rng.choice(places) if rng.random() < 0.9 else None,
        "status": Article.Status.PUBLISHED,
        "is_urgent": rng.random() < 0.02,
        "created_by": rng.choice(authors),
        # Most stories are read a little, a few a lot: "most read" has something to rank.
        "view_count": int(rng.paretovariate(1.2) * 40),
    }
    for code in languages:
        corpus = corpora[code]
        fields |= {
            f"title_{code}": corpus.title(rng),
            f"lead_{code}": corpus.lead(rng),
            f"body_{code}": corpus.body(rng),
            f"image_caption_{code}": corpus.lead(rng)[:120],
            f"image_credit_{code}": "Кабар",
        }
    return Article(**fields)


def _comments(rng: random.Random, story: Article, *, ip_hash: str, now: datetime) -> list[Comment]:
    """Approved comments on about a quarter of the stories, in the story's languages."""
    if rng.random() >= 0.25:
        return []
    posted = story.published_at
    comments = []
    for _ in range(rng.randint(1, 4)):
        language = rng.choice(story.languages)
        posted = min(posted + timedelta(minutes=rng.randint(3, 240)), now)
        comments.append(
            Comment(
                article=story,
                language=language,
                name=rng.choice(FIRST_NAMES),
                text=rng.choice(COMMENTS[language]),
                status=Comment.Status.APPROVED,
                ip_hash=ip_hash,
                created_at=posted,
                moderated_at=posted,
            )
        )
    return comments
