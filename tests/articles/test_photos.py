"""Story photos: renditions in every width and modern format, crops that keep the
focal point an editor clicked, galleries, photos inside the text and video embeds.

Images are real files made with Pillow; the admin is driven through its rendered
form, as a browser would post it; public pages are read as readers get them.
"""

import io
import json
import re
import struct
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image, features
from reversion.models import Version

from articles.embeds import video_for
from articles.images import crop_box
from articles.models import Article
from tests.articles.admin_client import change_url, form_data, page_form
from tests.factories import make_article, make_rubric

pytestmark = pytest.mark.django_db

BLUE, RED = (30, 60, 200), (220, 20, 20)


def ky(message):
    with translation.override("ky"):
        return gettext(message)


def wide_photo(format_="JPEG", *, size=(1600, 600), red_from=1350, red_to=1550, **save):
    """Blue, with a red band near the right edge: where a face would be."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (red_from, 0, red_to, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format=format_, **save)
    return buffer.getvalue()


def upload_file(name, content):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def admin_post(client, editor):
    """Post the story's rendered admin form with `changes`; the response and the story."""
    client.force_login(editor)

    def post(story, **changes):
        data = form_data(client.get(change_url(story)), **changes)
        response = client.post(change_url(story), data)
        story.refresh_from_db()
        return response, story

    return post


def rendition(name):
    with default_storage.open(name) as file, Image.open(file) as image:
        return image.convert("RGB")


def is_red(pixel):
    return pixel[0] > 150 and pixel[2] < 100


def story_page(client, story, language="ky"):
    cache.clear()
    with translation.override(language):
        return client.get(story.get_absolute_url()).content.decode()


# Renditions in the page.


def test_the_story_page_offers_every_width_and_modern_format_in_a_picture(admin_post, client):
    story = make_article()
    admin_post(story, image=upload_file("photo.jpg", wide_photo()))
    client.logout()
    html = story_page(client, story)

    picture = re.search(r'<figure class="story-figure">\s*<picture>(.*?)</picture>', html, re.S)
    assert picture, "the main photo is a <picture>"
    types = re.findall(r'<source type="([^"]+)" srcset="([^"]+)" sizes="([^"]+)"', picture[1])
    expected = ["image/webp"]
    if features.check("avif"):
        expected.insert(0, "image/avif")
    assert [kind for kind, _srcset, _sizes in types] == expected
    for _kind, srcset, sizes in types:
        # 600 pixels high makes a 1067-pixel-wide crop: the widths up to it.
        assert re.findall(r" (\d+)w", srcset) == ["320", "480", "640", "960"]
        assert "46rem" in sizes
    img = re.search(r"<img ([^>]+)>", picture[1])[1]
    assert 'width="960" height="540"' in img
    assert re.search(r'src="[^"]+\.jpg"', img) and "960w" in img


def test_search_engines_and_shares_get_the_largest_rendition_not_the_upload(admin_post, client):
    story = make_article()
    admin_post(story, image=upload_file("photo.jpg", wide_photo()))
    client.logout()
    html = story_page(client, story)
    og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html)[1]
    script = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert json.loads(script)["image"] == [og_image]
    assert "/renditions/" in og_image
    assert story.image.url not in og_image
    with default_storage.open(og_image.split("/media/", 1)[1]) as file, Image.open(file) as image:
        # A 1600 x 600 upload crops to 1067 x 600 at 16:9: its widest rendition is 960.
        assert image.size == (960, 540)


def test_story_cards_show_the_photo_in_a_lazy_picture(admin_post, client):
    story = make_article()
    admin_post(story, image=upload_file("photo.png", wide_photo("PNG")))
    related = make_article(rubric=story.rubric)
    client.logout()
    html = story_page(client, related)
    card = html.split('class="related"')[1]
    assert "<picture>" in card and 'type="image/webp"' in card
    assert 'loading="lazy"' in card and "23rem" in card


def test_a_card_without_a_photo_gives_its_text_the_whole_width(admin_post, client):
    """A wire story has no photo: its card has no image column (the text would
    otherwise sit in the photo's narrow column with an empty one beside it)."""
    pictured = make_article()
    admin_post(pictured, image=upload_file("photo.png", wide_photo("PNG")))
    plain = make_article(rubric=pictured.rubric)
    client.logout()
    html = client.get(f"/ky/rubric/{pictured.rubric.slug_ky}/").content.decode()
    cards = {
        story: next(card for card in html.split("<article ")[1:] if story.title_ky in card)
        for story in (pictured, plain)
    }
    assert (
        cards[pictured].startswith('class="card card-with-image"')
        and "<picture>" in cards[pictured]
    )
    assert cards[plain].startswith('class="card"') and "<picture>" not in cards[plain]


# The focal point.


def test_every_crop_keeps_the_focal_point(admin_post):
    story = make_article()
    _response, story = admin_post(story, image=upload_file("photo.jpg", wide_photo()))
    centred = story.image_renditions["sources"][-1]["files"]
    assert not any(is_red(rendition(name).getpixel((w * 85 // 100, 10))) for w, name in centred)

    response, story = admin_post(story, image_focal_x="90", image_focal_y="50")
    assert response.status_code == 302
    for source in story.image_renditions["sources"]:
        for width, name in source["files"]:
            picture = rendition(name)
            # The red band (x 1350–1550 of 1600) lies at 77–96 % of the crop moved right.
            assert is_red(picture.getpixel((width * 85 // 100, picture.height // 2))), name
    for _width, name in centred:
        assert not default_storage.exists(name), "the old crops are removed"


def test_the_admin_shows_the_uncropped_photo_to_click_on(admin_post, client):
    story = make_article()
    _response, story = admin_post(story, image=upload_file("photo.webp", wide_photo("WEBP")))
    html = client.get(change_url(story)).content.decode()
    preview = story.image_renditions["preview"]
    assert (preview["width"], preview["height"]) == (480, 180), "the whole photo, not a crop"
    assert 'class="focal-point-picker"' in html and preview["name"] in html
    assert "js/focal_point.js" in html


@pytest.mark.parametrize(("x", "y"), [("120", "50"), ("50", "-5")])
def test_a_focal_point_outside_the_image_is_refused_and_the_text_kept(admin_post, x, y):
    story = make_article(title_ky="Эски аталыш")
    admin_post(story, image=upload_file("photo.jpg", wide_photo()))
    made = story.image_renditions
    response, story = admin_post(story, title_ky="Жаңы аталыш", image_focal_x=x, image_focal_y=y)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        ky(
            "The focal point must lie inside the image: give a number from 0 to 100 "
            "(percent of the width from the left, of the height from the top)."
        )
        in html
    )
    assert "Жаңы аталыш" in html, "what the editor typed is kept"
    assert story.title_ky == "Эски аталыш" and story.image_renditions == made


def test_crop_box_is_centred_on_the_focal_point_and_stays_inside():
    assert crop_box((1600, 900), (50, 50)) == (0, 0, 1600, 900)
    assert crop_box((1600, 600), (50, 50)) == (266, 0, 1333, 600)
    assert crop_box((1600, 600), (0, 0)) == (0, 0, 1067, 600)
    assert crop_box((1600, 600), (100, 100)) == (533, 0, 1600, 600)
    assert crop_box((900, 1600), (50, 20)) == (0, 67, 900, 573)


# Galleries.


def iptc_jpeg(records, *, exif=None):
    """A JPEG with an IPTC block (APP13, as Photoshop and agencies write it)."""
    buffer = io.BytesIO()
    image = Image.new("RGB", (1200, 800), BLUE)
    image.save(buffer, format="JPEG", **({"exif": exif} if exif is not None else {}))
    data = buffer.getvalue()
    iptc = b"".join(
        b"\x1c" + bytes(key) + struct.pack(">H", len(value)) + value
        for key, value in records.items()
    )
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    resource += b"\x00" * (len(iptc) % 2)
    payload = b"Photoshop 3.0\x00" + resource
    app13 = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + app13 + data[2:]


def exif_jpeg(**tags):
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[{"description": 0x010E, "artist": 0x013B}[tag]] = value.encode()
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), BLUE).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def gallery_of(html):
    section = re.search(r'<section class="gallery".*?</section>', html, re.S)
    return section[0] if section else ""


def test_a_gallery_shows_its_photos_in_order_with_captions_per_language(admin_post, client):
    story = make_article()
    response, story = admin_post(
        story,
        **{
            "photos-0-image": upload_file("first.jpg", wide_photo()),
            "photos-0-caption_ky": "Биринчи сүрөт",
            "photos-0-caption_ru": "Первый снимок",
            "photos-0-credit_ky": "Айбек Осмонов",
            "photos-0-credit_ru": "Айбек Осмонов",
            "photos-0-position": "2",
        },
    )
    assert response.status_code == 302
    response, story = admin_post(
        story,
        **{
            "photos-1-image": upload_file("second.png", wide_photo("PNG")),
            "photos-1-caption_ky": "Экинчи сүрөт",
            "photos-1-caption_ru": "Второй снимок",
            "photos-1-position": "1",
        },
    )
    assert response.status_code == 302
    first, second = sorted(story.photos.all(), key=lambda photo: photo.caption_ky)
    assert first.renditions["sources"] and second.renditions["sources"]
    client.logout()

    gallery = gallery_of(story_page(client, story, "ky"))
    assert gallery.index("Экинчи сүрөт") < gallery.index("Биринчи сүрөт"), "in their order"
    assert gallery.count("<picture>") == 2 and 'loading="lazy"' in gallery
    assert "Айбек Осмонов" in gallery and "Первый снимок" not in gallery
    gallery = gallery_of(story_page(client, story, "ru"))
    assert "Второй снимок" in gallery and "Первый снимок" in gallery


def test_a_gallery_file_that_is_not_an_image_is_refused_and_the_text_kept(admin_post):
    story = make_article(title_ky="Эски аталыш")
    response, story = admin_post(
        story,
        title_ky="Жаңы аталыш",
        **{
            "photos-0-image": upload_file("report.jpg", b"%PDF-1.7 not a photo"),
            "photos-0-caption_ky": "Терилген жазуу",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert ky("This file is not an image. Upload a JPEG, PNG or WebP photo.") in html
    assert "Жаңы аталыш" in html and "Терилген жазуу" in html
    assert story.title_ky == "Эски аталыш" and not story.photos.exists()


def test_a_gallery_photo_focal_point_outside_is_refused(admin_post):
    story = make_article()
    response, story = admin_post(
        story,
        **{"photos-0-image": upload_file("a.jpg", wide_photo()), "photos-0-focal_x": "101"},
    )
    assert response.status_code == 200
    assert (
        ky(
            "The focal point must lie inside the image: give a number from 0 to 100 "
            "(percent of the width from the left, of the height from the top)."
        )
        in response.content.decode()
    )
    assert not story.photos.exists()


def test_caption_and_credit_are_prefilled_from_the_files_iptc(admin_post):
    story = make_article()
    content = iptc_jpeg(
        {(2, 120): "Бишкектеги митинг".encode(), (2, 80): "Нурлан Абдыкеримов".encode()}
    )
    response, story = admin_post(
        story,
        **{"photos-0-image": upload_file("agency.jpg", content), "photos-0-caption_ru": "Митинг"},
    )
    assert response.status_code == 302
    photo = story.photos.get()
    assert photo.caption_ky == "Бишкектеги митинг"
    assert photo.caption_ru == "Митинг", "what the editor typed wins"
    assert photo.credit_ky == photo.credit_ru == "Нурлан Абдыкеримов"


def test_the_main_image_caption_is_prefilled_from_the_files_exif(admin_post):
    story = make_article()
    content = exif_jpeg(description="Ала-Тоо аянты", artist="Жылдыз Асанова")
    response, story = admin_post(story, image=upload_file("camera.jpg", content))
    assert response.status_code == 302
    assert story.image_caption_ky == story.image_caption_ru == "Ала-Тоо аянты"
    assert story.image_credit_ky == "Жылдыз Асанова"


def rendition_names(manifest):
    return [name for source in manifest["sources"] for _w, name in source["files"]]


def test_a_removed_gallery_photo_loses_its_renditions(
    admin_post, django_capture_on_commit_callbacks
):
    story = make_article()
    admin_post(story, **{"photos-0-image": upload_file("a.jpg", wide_photo())})
    names = rendition_names(story.photos.get().renditions)
    with django_capture_on_commit_callbacks(execute=True):
        response, story = admin_post(story, **{"photos-0-DELETE": "on"})
    assert response.status_code == 302 and not story.photos.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_a_deleted_story_takes_its_renditions_along(
    admin_post, client, django_capture_on_commit_callbacks
):
    story = make_article()
    admin_post(
        story,
        image=upload_file("main.jpg", wide_photo()),
        **{"photos-0-image": upload_file("gallery.jpg", wide_photo())},
    )
    names = rendition_names(story.image_renditions) + rendition_names(story.photos.get().renditions)
    assert names and all(default_storage.exists(name) for name in names)
    delete_url = reverse("admin:articles_article_delete", args=[story.pk])
    confirm = page_form(client.get(delete_url))[1]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(delete_url, confirm).status_code == 302
    assert not Article.objects.filter(pk=story.pk).exists()
    assert not any(default_storage.exists(name) for name in names)

    # Recovered from its history (the story and its main image; the gallery is not
    # versioned), it gets its renditions made again.
    version = Version.objects.get_deleted(Article).get()
    recover_url = reverse("admin:articles_article_recover", args=[version.pk])
    assert client.post(recover_url, form_data(client.get(recover_url))).status_code == 302
    recovered = rendition_names(Article.objects.get(pk=story.pk).image_renditions)
    assert recovered and all(default_storage.exists(name) for name in recovered)


# Photos and videos inside the text.


def test_a_photo_line_in_the_text_shows_the_photo_there_and_not_in_the_gallery(admin_post, client):
    story = make_article()
    admin_post(
        story,
        **{
            "photos-0-image": upload_file("a.jpg", wide_photo()),
            "photos-0-caption_ky": "Тексттеги сүрөт",
        },
    )
    photo = story.photos.get()
    html = client.get(change_url(story)).content.decode()
    assert f"<code>[сүрөт {photo.pk}]</code>" in html, "the editor sees the line to copy"
    response, story = admin_post(
        story, body_ky=f"<p>Биринчи абзац.</p><p>[сүрөт {photo.pk}]</p><p>Акыркы абзац.</p>"
    )
    assert response.status_code == 302
    client.logout()
    html = story_page(client, story)
    body = html.split('class="story-body"')[1].split("</div>")[0]
    assert body.index("Биринчи абзац") < body.index("<picture>") < body.index("Акыркы абзац")
    assert "Тексттеги сүрөт" in body and "[сүрөт" not in body
    assert not gallery_of(html), "a photo shown in the text is not repeated in the gallery"


def test_a_line_naming_a_photo_the_story_does_not_have_is_refused(admin_post):
    story = make_article()
    response, story = admin_post(story, body_ky="<p>Текст.</p><p>[photo 999]</p>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "999" in html and "[photo 999]" in html
    assert story.body_ky == "<p>Макаланын тексти.</p>"


def test_a_video_loads_nothing_from_its_site_until_the_reader_presses_play(admin_post, client):
    story = make_article()
    response, story = admin_post(
        story, body_ky="<p>Көрүңүз:</p><p>[видео https://youtu.be/dQw4w9WgXcQ]</p>"
    )
    assert response.status_code == 302
    client.logout()
    cache.clear()
    with translation.override("ky"):
        response = client.get(story.get_absolute_url())
    html = response.content.decode()
    embed = re.search(r'<figure class="embed".*?</figure>', html, re.S)[0]
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in embed
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in embed, "works without script"
    # No element of the page asks a third party for anything before the click.
    assert not re.search(r'\s(?:src|srcset|poster)="(?:https?:)?//', html)
    assert "<iframe" not in html
    frame_src = re.search(r"frame-src ([^;]+)", response["Content-Security-Policy"])[1].split()
    assert frame_src == settings_frame_origins()


def settings_frame_origins():
    from django.conf import settings

    return settings.EMBED_FRAME_ORIGINS


def test_a_video_from_an_unknown_site_is_refused_and_the_text_kept(admin_post):
    story = make_article()
    body = "<p>Жаңы абзац.</p><p>[video https://example.com/clip.mp4]</p>"
    response, story = admin_post(story, body_ky=body)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("ky"):
        message = gettext(
            "“%(url)s” is not the address of a video we can show. "
            "Paste the address of a video on %(sites)s."
        ) % {"url": "https://example.com/clip.mp4", "sites": "YouTube, Vimeo, Rutube"}
    assert message in html.replace("&#x27;", "'")
    assert "Жаңы абзац." in html
    assert story.body_ky == "<p>Макаланын тексти.</p>"


@pytest.mark.parametrize(
    ("url", "player"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", "https://www.youtube-nocookie.com/"),
        ("https://youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        (
            "https://rutube.ru/video/c6cc4d620b1d4338901770a44b3e82f4/",
            "https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4",
        ),
    ],
)
def test_videos_of_the_known_sites_play_from_an_allowed_origin(url, player):
    from django.conf import settings

    video = video_for(url)
    assert video and video.player.startswith(player)
    origin = "/".join(video.player.split("/")[:3])
    assert origin in settings.EMBED_FRAME_ORIGINS


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)",
        "https://www.youtube.com/watch?v=short",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    ],
)
def test_other_addresses_are_not_videos(url):
    assert video_for(url) is None


def test_images_stored_before_renditions_get_them_from_the_command(client):
    """An image uploaded before renditions were kept shows no picture until the
    command makes them; the page never makes one itself."""
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    story = make_article()
    story.image.save("old.jpg", ContentFile(wide_photo()))
    assert story.image_renditions == {}
    assert "<picture>" not in story_page(client, story)

    call_command("make_renditions", dry_run=True, verbosity=0)
    story.refresh_from_db()
    assert story.image_renditions == {}
    call_command("make_renditions", verbosity=0)
    story.refresh_from_db()
    assert story.image_renditions["sources"]
    assert "<picture>" in story_page(client, story)


def test_a_journalist_adds_photos_to_their_own_story(client, journalist):
    """Photos follow the story's permissions: whoever may edit it may add them."""
    from articles.models import Article

    story = make_article(status=Article.Status.DRAFT, created_by=journalist, authors=[journalist])
    client.force_login(journalist)
    html = client.get(change_url(story)).content.decode()
    assert 'name="photos-0-image"' in html
    data = form_data(
        client.get(change_url(story)), **{"photos-0-image": upload_file("a.jpg", wide_photo())}
    )
    assert client.post(change_url(story), data).status_code == 302
    assert story.photos.get().renditions["sources"]


def test_a_home_rubric_block_shows_the_photo_and_lead_of_its_newest_story_only(admin_post, client):
    make_article(is_main=True)  # the home page's main story, above the blocks
    rubric = make_rubric(name_ky="Экономика")
    older = make_article(rubric=rubric, lead_ky="Эски жаңылыктын кыскачасы.")
    newer = make_article(rubric=rubric, lead_ky="Жаңы жаңылыктын кыскачасы.")
    for story, hours in ((older, 3), (newer, 2)):
        story.published_at = timezone.now() - timedelta(hours=hours)
        story.save()
        admin_post(story, image=upload_file("photo.png", wide_photo("PNG")))
    client.logout()
    html = client.get("/ky/").content.decode()
    block = html.split(f'aria-labelledby="rubric-{rubric.pk}"')[1].split("</section>")[0]
    cards = block.split("<article ")[1:]
    assert [newer.title_ky in card for card in cards] == [True, False]
    assert cards[0].startswith('class="card card-with-image"') and "<picture>" in cards[0]
    assert "Жаңы жаңылыктын кыскачасы." in cards[0]
    assert cards[1].startswith('class="card"') and "<picture>" not in cards[1]
    assert "Эски жаңылыктын кыскачасы." not in block
