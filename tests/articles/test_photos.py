"""Story photos: renditions in every width and modern format, crops that keep the
focal point an editor clicked, galleries, photos inside the text and video embeds.

Images are real files made with Pillow; the admin is driven through its rendered
form, as a browser would post it; public pages are read as readers get them.
"""

import io
import re

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image, features

from articles.images import crop_box
from tests.articles.admin_client import change_url, form_data
from tests.factories import make_article

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


def test_story_cards_show_the_photo_in_a_lazy_picture(admin_post, client):
    story = make_article()
    admin_post(story, image=upload_file("photo.png", wide_photo("PNG")))
    related = make_article(rubric=story.rubric)
    client.logout()
    html = story_page(client, related)
    card = html.split('class="related"')[1]
    assert "<picture>" in card and 'type="image/webp"' in card
    assert 'loading="lazy"' in card and "23rem" in card


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
