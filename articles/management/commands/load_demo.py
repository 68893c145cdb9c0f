"""Load the demo newsroom so `make run` shows a living site on a fresh machine.

Idempotent: running it again updates the same rubrics, users and stories in
place. The demo password comes from NEWSROOM_DEMO_PASSWORD, else one is
generated once, kept in `.demo-password` (git-ignored) and printed.
"""

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from articles import demo
from comments.demo import load_demo_comments
from rates.demo import load_demo_rates


class Command(BaseCommand):
    help = "Load the demo rubrics, places, users, stories, rates and comments."

    def handle(self, *args, **options):
        password = self.demo_password()
        rubrics, places, tags = demo.load_rubrics_places_tags()
        users = demo.load_users(password=password)
        journalist, editor = users[0], users[1]
        authors = demo.load_authors(users=[journalist, editor])
        reference = demo.load_reference_story(rubric=rubrics[0], place=places[0], author=authors[1])
        stories = demo.load_stories(rubrics=rubrics, places=places, tags=tags, authors=authors)
        embargoed = demo.load_notes_and_embargo(stories=stories, rubric=rubrics[1], author=editor)
        demo.load_story_media(article=stories[0])
        rates = load_demo_rates(days=30)
        comments = load_demo_comments(articles=stories[:12])
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded: {len(rubrics)} rubrics, {len(places)} places, "
                    f"{len(stories) + 1} stories, {rates} rates, {comments} comments "
                    f"(reference story: /ky/news/{reference.slug_ky}/; under embargo: "
                    f"“{embargoed}”)."
                )
            )
            self.stdout.write("Demo logins for the admin at /admin/:")
            for user in users:
                self.stdout.write(f"  {user.username:<11} password: {password}")

    def demo_password(self) -> str:
        if password := os.environ.get("NEWSROOM_DEMO_PASSWORD"):
            return password
        stored = settings.BASE_DIR / ".demo-password"
        if stored.exists():
            return stored.read_text().strip()
        password = secrets.token_urlsafe(12)
        stored.write_text(password + "\n")
        stored.chmod(0o600)
        return password
