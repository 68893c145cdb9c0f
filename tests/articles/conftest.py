"""The newsroom's people for the story tests, and a media folder of each test's own."""

import pytest

from tests.factories import make_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def journalist():
    return make_user("aibek", role="Journalist", first_name="Айбек", last_name="Осмонов")


@pytest.fixture
def other_journalist():
    return make_user("nurgul", role="Journalist")


@pytest.fixture
def editor():
    return make_user("jyldyz", role="Editor", first_name="Жылдыз", last_name="Асанова")


@pytest.fixture
def moderator():
    return make_user("moderator", role="Moderator")
