"""rich's pretty printer, imported when it is first used instead of in every worker.

django-reversion-compare imports `rich.pretty.pretty_repr` when the admin loads
(reversion_compare/compare.py), to print, in the comparison of two versions of a story,
a value of a type it has no other way to show. That import is 30 modules and 4.6 MiB in
every gunicorn worker, the ones answering readers included, for a page an editor opens
now and then. `defer_rich_pretty()` puts a stand-in module under that name before the
admin loads; the stand-in's `pretty_repr` imports the real one on its first call and
hands every call to it.
"""

import importlib
import sys
import types

NAME = "rich.pretty"


def defer_rich_pretty() -> None:
    if NAME in sys.modules:  # imported already: nothing left to save
        return
    stand_in = types.ModuleType(NAME, __doc__)

    def pretty_repr(*args, **kwargs):
        if sys.modules.get(NAME) is stand_in:
            del sys.modules[NAME]
        real = importlib.import_module(NAME)
        stand_in.pretty_repr = real.pretty_repr
        return real.pretty_repr(*args, **kwargs)

    stand_in.pretty_repr = pretty_repr
    sys.modules[NAME] = stand_in
