"""Hostile uploads: bombs, disguised formats and damaged files are refused before they cost.

Each case is posted through the story's admin form as an editor would, and checks the
message the editor reads (in Kyrgyz, naming the limit), that the typed text is kept and
that nothing was stored. A good image gets its renditions at upload, and a reader's page
never makes one.
"""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image, ImageFile, features

from tests.articles.admin_client import change_url, form_data
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def ky(message, **params):
    with translation.override("ky"):
        return gettext(message) % params if params else gettext(message)


def bilevel_png(width: int, height: int) -> bytes:
    """An all-black 1-bit PNG written row by row: a few kilobytes claiming any size."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def picture(format_: str, size=(1200, 800)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=format_)
    return buffer.getvalue()


@pytest.fixture
def upload(client, editor):
    """Post `content` as the story's image with a changed title; the response and the story."""
    story = make_article(title_ky="Эски аталыш")
    client.force_login(editor)

    def post(name: str, content: bytes):
        data = form_data(
            client.get(change_url(story)),
            title_ky="Редактор терген аталыш",
            image=SimpleUploadedFile(name, content),
        )
        response = client.post(change_url(story), data)
        story.refresh_from_db()
        return response, story

    return post


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The pixel sizes Pillow decoded in full while the test ran."""
    sizes = []
    original = ImageFile.ImageFile.load

    def load(image):
        sizes.append(image.size)
        return original(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def assert_refused(response, story, message):
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, response.context["adminform"].form.errors
    assert "Редактор терген аталыш" in html, "what the editor typed is kept"
    assert story.title_ky == "Эски аталыш" and not story.image, "nothing was stored"


def test_a_decompression_bomb_is_refused_from_its_header_and_never_decoded(upload, decoded_sizes):
    """713 KB in the report; this one is a few kilobytes claiming 13300×13300 pixels."""
    bomb = bilevel_png(13300, 13300)
    assert len(bomb) < 100_000

    response, story = upload("bomb.png", bomb)

    assert_refused(
        response,
        story,
        ky(
            "The image has too many pixels. The limit is %(side)s pixels a side "
            "and %(megapixels)s megapixels in all.",
            side=10000,
            megapixels=40,
        ),
    )
    assert (13300, 13300) not in decoded_sizes


def test_an_image_just_over_the_pixel_limit_is_refused_naming_its_size_and_the_limit(upload):
    response, story = upload("panorama.png", bilevel_png(10001, 20))
    assert_refused(
        response,
        story,
        ky(
            "The image is %(width)s×%(height)s pixels. The limit is %(side)s pixels a side "
            "and %(megapixels)s megapixels in all.",
            width=10001,
            height=20,
            side=10000,
            megapixels=40,
        ),
    )


def test_between_the_limit_and_pillows_hard_limit_is_refused_too(upload, decoded_sizes):
    """7000×7000 is 49 megapixels: Pillow only warns there; we refuse."""
    response, story = upload("big.png", bilevel_png(7000, 7000))
    assert_refused(
        response,
        story,
        ky(
            "The image has too many pixels. The limit is %(side)s pixels a side "
            "and %(megapixels)s megapixels in all.",
            side=10000,
            megapixels=40,
        ),
    )
    assert (7000, 7000) not in decoded_sizes


def test_the_limits_are_settings(upload, settings):
    settings.NEWSROOM_MAX_IMAGE_SIDE = 1000
    response, story = upload("photo.jpg", picture("JPEG", size=(1200, 800)))
    assert_refused(
        response,
        story,
        ky(
            "The image is %(width)s×%(height)s pixels. The limit is %(side)s pixels a side "
            "and %(megapixels)s megapixels in all.",
            width=1200,
            height=800,
            side=1000,
            megapixels=40,
        ),
    )


@pytest.mark.parametrize(
    ("name", "content", "message", "params"),
    [
        (
            "photo.jpg",
            picture("GIF"),
            "A %(format)s file cannot be uploaded. Upload a JPEG, PNG or WebP image.",
            {"format": "GIF"},
        ),
        (
            "photo.jpg",
            picture("PNG"),
            "The file is a %(format)s image, but its name ends in “.%(extension)s”. "
            "Rename it to end in “.%(expected)s” and upload it again.",
            {"format": "PNG", "extension": "jpg", "expected": "png"},
        ),
        (
            "photo.png",
            picture("JPEG"),
            "The file is a %(format)s image, but its name ends in “.%(extension)s”. "
            "Rename it to end in “.%(expected)s” and upload it again.",
            {"format": "JPEG", "extension": "png", "expected": "jpg"},
        ),
        (
            "photo.bmp",
            picture("BMP"),
            "A %(format)s file cannot be uploaded. Upload a JPEG, PNG or WebP image.",
            {"format": "BMP"},
        ),
        (
            "photo.jpg",
            b"<?php system($_GET['c']); ?>",
            "This file is not an image. Upload a JPEG, PNG or WebP photo.",
            {},
        ),
        (
            "photo.jpg",
            picture("JPEG")[:600],
            "The image file is damaged and cannot be read. Save it again and upload the copy.",
            {},
        ),
        (
            "photo.png",
            picture("PNG")[:-40],
            "The image file is damaged and cannot be read. Save it again and upload the copy.",
            {},
        ),
    ],
    ids=["gif-as-jpg", "png-as-jpg", "jpeg-as-png", "bmp", "script", "cut-jpeg", "cut-png"],
)
def test_disguised_and_damaged_files_are_refused_with_a_clear_message(
    upload, name, content, message, params
):
    response, story = upload(name, content)
    assert_refused(response, story, ky(message, **params))


def test_pillows_own_bomb_guard_is_at_the_limit(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.NEWSROOM_MAX_IMAGE_PIXELS
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(bilevel_png(13300, 13300)))


@pytest.mark.parametrize(
    ("name", "format_"), [("ph.jpeg", "JPEG"), ("p.png", "PNG"), ("p.webp", "WEBP")]
)
def test_a_good_image_gets_every_rendition_at_upload(upload, settings, name, format_):
    """Even a WebP upload gets WebP (and AVIF) renditions, with JPEG for old browsers."""
    response, story = upload(name, picture(format_))
    assert response.status_code == 302
    assert story.title_ky == "Редактор терген аталыш"
    assert story.image.name.endswith(Path(name).suffix)
    sources = {source["type"]: source["files"] for source in story.image_renditions["sources"]}
    expected = ["image/webp", "image/jpeg"]
    if features.check("avif"):
        expected.insert(0, "image/avif")
    assert list(sources) == expected
    for mime, files in sources.items():
        # 1200 pixels wide: every configured width up to it, none enlarged.
        assert [width for width, _name in files] == [320, 480, 640, 960]
        for width, file_name in files:
            assert default_storage.exists(file_name)
            with default_storage.open(file_name) as file, Image.open(file) as made:
                assert made.size == (width, width * 9 // 16)
                assert Image.MIME[made.format] == mime


def test_a_readers_page_never_decodes_an_image(client, upload, monkeypatch, settings):
    response, story = upload("photo.jpg", picture("JPEG"))
    assert response.status_code == 302
    media = Path(settings.MEDIA_ROOT)
    files_before = sorted(media.rglob("*"))
    with translation.override("ky"):
        url = story.get_absolute_url()

    def refuse(*args, **kwargs):
        raise AssertionError("a reader's page opened an image")

    monkeypatch.setattr(Image, "open", refuse)
    cache.clear()
    page = client.get(url)
    assert page.status_code == 200
    assert story.image_renditions["sources"][-1]["files"][-1][1] in page.content.decode()
    assert sorted(media.rglob("*")) == files_before, "the page made no file"
