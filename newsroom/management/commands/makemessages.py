"""Django's makemessages, reading the public pages' Jinja2 templates (jinja2/) too.

Django reads every .html file as a Django template, which finds `{{ _("…") }}` but not
`ngettext()` or `pgettext()`. A Jinja2 template is handed to xgettext as the calls
Jinja2's own extractor finds in it, at their lines, so `make catalogs` keeps every
message of both engines.
"""

from django.core.management.commands import makemessages
from django.template import engines


def jinja2_calls(source: str) -> str:
    """The template's gettext calls as Python, each on its template line."""
    lines = [""] * (source.count("\n") + 1)
    environment = engines["jinja2"].env
    for lineno, function, message in environment.extract_translations(source):
        strings = message if isinstance(message, tuple) else (message,)
        arguments = ", ".join("None" if text is None else repr(text) for text in strings)
        lines[lineno - 1] += f"{function}({arguments}); "
    return "\n".join(lines)


class BuildFile(makemessages.BuildFile):
    @property
    def is_jinja2(self) -> bool:
        return self.path.startswith(("./jinja2/", "jinja2/")) or "/jinja2/" in self.path

    def preprocess(self):
        if not (self.is_templatized and self.is_jinja2):
            return super().preprocess()
        with open(self.path, encoding="utf-8") as source:
            content = jinja2_calls(source.read())
        with open(self.work_path, "w", encoding="utf-8") as work:
            work.write(content)


class Command(makemessages.Command):
    build_file_class = BuildFile
