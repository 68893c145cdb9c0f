"""A video in a story asks its site for nothing until the reader presses play.

The demo's main story shows a YouTube video inside its text. The player's origin
answers with a stand-in page here (the machine is offline and the test must not
reach YouTube); every other host stays blocked by the `new_page` fixture.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from articles.models import Article

pytestmark = pytest.mark.usefixtures("demo")


def test_a_video_reaches_its_site_only_after_the_reader_presses_play(page):
    player_requests = []

    def stand_in_player(route):
        player_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>v</title>")

    page.route("https://www.youtube-nocookie.com/**", stand_in_player)
    story = Article.objects.live("ky").get(is_main=True)
    with translation.override("ky"):
        url = story.get_absolute_url()
    page.goto(url, wait_until="load")
    assert player_requests == [], "nothing was asked of the video site before the click"
    expect(page.locator(".embed iframe")).to_have_count(0)

    page.locator(".embed-play").first.click()

    frame = page.locator(".embed iframe")
    expect(frame).to_have_attribute(
        "src", re.compile(r"^https://www\.youtube-nocookie\.com/embed/[\w-]{11}\?autoplay=1$")
    )
    for _ in range(100):  # the player's first request, within ten seconds
        if player_requests:
            break
        page.wait_for_timeout(100)
    assert player_requests and player_requests[0].startswith("https://www.youtube-nocookie.com/")
    assert len(page.context.pages) == 1, "the player opened in the story, not in a new tab"
