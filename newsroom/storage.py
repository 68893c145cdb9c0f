"""Static files storage for production: hashed names, compressed copies, a manifest.

Django's manifest storage rewrites every `url(...)` it finds in a stylesheet, comments
included. jQuery UI's theme files carry a ThemeRoller link in their header comment whose
query string holds `url("images/...")` fragments that name no file, so `collectstatic`
failed with MissingFileError and a deployed site answered 500 on every page. A comment is
never fetched by a browser, so references inside one are left as they are.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def inside_css_comment(text: str, position: int) -> bool:
    """Whether `position` in a stylesheet lies inside a `/* ... */` comment."""
    opened = text.rfind("/*", 0, position)
    return opened != -1 and text.rfind("*/", opened + 2, position) == -1


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)
        if not name.endswith(".css"):
            return convert

        def converter(matchobj):
            if inside_css_comment(matchobj.string, matchobj.start()):
                return matchobj.group(0)
            return convert(matchobj)

        return converter
