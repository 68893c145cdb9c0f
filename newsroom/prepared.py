"""Querysets compiled to SQL once per process, then run with each request's values.

A page's querysets are the same shape on every request; only a few values change (a
story's id, its time, its tags, today). Django builds and compiles them anew each
time: resolving lookups, joins, subqueries and window functions costs more Python time
than PostgreSQL takes to answer (a quarter of a story page's time went to compiling
its related stories and the rates widget). `PreparedQuery` compiles a shape once and
afterwards only puts the new values into the SQL's parameters:

    related = PreparedQuery(Article, lambda *, shape, story_id, moment: Article.objects...)
    stories = related(shape=(language,), story_id=story.pk, moment=story.published_at)

`build` gets every value by name and must return the same SQL for any values of the
same `shape`: whatever changes the SQL's text (a language that names a column, a list's
length, a flag that adds a filter) goes in `shape`, which `build` gets too, as `shape`.
Lists of values are allowed; their length is part of the shape. A value may only be
passed on to the queryset as it is, never used to decide something (`if moment > x`):
the decision would be taken once, for the stand-ins below. Booleans are refused as
values for that reason; they belong in the shape.

How the values are found in the compiled parameters: the shape is built twice, with
two sets of unlikely values, and compiled; the parameters that differ between the two
compilations are the values, and each must equal one of the values given to `build`
as it was (PostgreSQL's adapter takes ints, text, dates, times and datetimes as they
are). When that does not hold (a backend that converts values, as SQLite does for
times, or a parameter `build` computes itself, such as a `timezone.now()` it was not
given) the shape is not prepared: every call builds the queryset, as without this.

The compiled SQL and its compiler (which knows how rows become model instances, with
their select_related objects and annotations) are kept per thread and database alias,
so a replica router's choice is honoured on every call.

On PostgreSQL the shape's constants (a status, a language's flag: the parameters that
are the same whatever the values) are written into the SQL as literals, and only the
values stay parameters. psycopg prepares a statement run again and again, and after
five runs PostgreSQL plans it once for all values (a generic plan) when that plan looks
no worse than planning it for each run's values; with `status = $5` it could not tell
that the partial indexes of published stories apply, so it planned the related
stories anew on every story page, which took PostgreSQL as long as running them.
"""

import re
import threading
from datetime import date, datetime, timedelta

from django.apps import apps
from django.db import connections, router
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE

# Unlikely values of each type, two sets (A and B) to tell the parameters from constants.
_INT_BASE = (1_987_654_000, 1_876_543_000)
_DATE_BASE = (date(1901, 1, 1), date(1902, 2, 2))
_STRING_BASE = ("prepared-a-", "prepared-b-")


def _sentinel(value, which: int, index: int):
    if isinstance(value, bool):
        raise TypeError("a boolean changes the SQL's shape: pass it in shape")
    if isinstance(value, int):
        return _INT_BASE[which] + index
    if isinstance(value, datetime):
        moment = datetime.combine(_DATE_BASE[which], datetime.min.time(), value.tzinfo)
        return moment + timedelta(seconds=index)
    if isinstance(value, date):
        return _DATE_BASE[which] + timedelta(days=index)
    if isinstance(value, str):
        return f"{_STRING_BASE[which]}{index}"
    raise TypeError(f"PreparedQuery cannot stand in for a {type(value).__name__}")


def _sentinels(values: dict, which: int) -> tuple[dict, dict]:
    """Stand-ins for `values` (lists element by element), and where each came from."""
    stand_ins, origin, index = {}, {}, 0
    for name, value in values.items():
        if isinstance(value, list | tuple):
            items = []
            for position, item in enumerate(value):
                items.append(_sentinel(item, which, index))
                origin[_key(items[-1])] = (name, position)
                index += 1
            stand_ins[name] = type(value)(items)
        else:
            stand_ins[name] = _sentinel(value, which, index)
            origin[_key(stand_ins[name])] = (name, None)
            index += 1
    return stand_ins, origin


def _key(value):
    return (type(value).__name__, value)


class _Compiled:
    """One shape's SQL on one database alias, in one thread."""

    def __init__(self, queryset, sql, slots):
        self.queryset = queryset
        self.sql = sql
        # For each parameter of the SQL, in order: (value name, index in a list or None),
        # or a _Constant.
        self.slots = slots
        self.compiler = compiler = queryset.query.get_compiler(using=queryset.db)
        compiler.as_sql()  # sets up what turns rows into instances
        self.connection = compiler.connection
        # The queryset is this object's own and is never cloned: each run iterates it
        # with this compiler, which answers this SQL with the run's parameters (_run).
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        # What converts each column's values depends on the columns only: found once.
        converters = compiler.get_converters(
            [column for column, *_ in compiler.select[: compiler.col_count]]
        )
        compiler.get_converters = lambda expressions: converters

    def params(self, values: dict) -> tuple:
        out = []
        for slot in self.slots:
            if isinstance(slot, tuple):
                name, index = slot
                out.append(values[name] if index is None else values[name][index])
            else:
                out.append(slot.value)
        return tuple(out)


class _Constant:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class PreparedQuery:
    """`build(shape=..., **values)` returns a queryset of `model` (see the module); the
    model may be named ("app_label.Model") where it cannot be imported yet."""

    def __init__(self, model, build):
        self._model = model
        self.build = build
        self._local = threading.local()

    @property
    def model(self):
        if isinstance(self._model, str):
            self._model = apps.get_model(self._model)
        return self._model

    def __call__(self, *, shape: tuple = (), **values) -> list:
        alias = router.db_for_read(self.model)
        lengths = tuple(len(v) for v in values.values() if isinstance(v, list | tuple))
        compiled = self._compiled((shape, alias, lengths), shape, values, alias)
        if compiled is None:
            return list(self.build(shape=shape, **values).using(alias))
        return self._run(compiled, values)

    def _compiled(self, key, shape, values, alias):
        cache = getattr(self._local, "compiled", None)
        if cache is None:
            cache = self._local.compiled = {}
        compiled = cache.get(key, False)
        if compiled is not False and (
            compiled is None or compiled.connection is connections[alias]
        ):
            return compiled
        compiled = cache[key] = self._compile(shape, values, alias)
        return compiled

    def _compile(self, shape, values, alias):
        compilations, origins = [], []
        for which in (0, 1):
            stand_ins, origin = _sentinels(values, which)
            queryset = self.build(shape=shape, **stand_ins).using(alias)
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
            compilations.append((queryset, sql, params))
            origins.append(origin)
        (queryset, sql_a, params_a), (_, sql_b, params_b) = compilations
        if sql_a != sql_b or len(params_a) != len(params_b):
            return None
        slots = []
        for a, b in zip(params_a, params_b, strict=True):
            if a == b and type(a) is type(b):
                slots.append(_Constant(a))
                continue
            came_from_a = origins[0].get(_key(a)) if _hashable(a) else None
            came_from_b = origins[1].get(_key(b)) if _hashable(b) else None
            if came_from_a is None or came_from_a != came_from_b:
                return None  # a value Django converted, or one build made itself
            slots.append(came_from_a)
        if connections[alias].vendor == "postgresql":
            sql_a, slots = _constants_written_in(sql_a, slots)
        return _Compiled(queryset, sql_a, slots)

    def _run(self, compiled: _Compiled, values: dict) -> list:
        sql, params = compiled.sql, compiled.params(values)
        compiled.compiler.as_sql = lambda *args, **kwargs: (sql, params)
        queryset = compiled.queryset
        if queryset._prefetch_related_lookups:
            queryset = queryset._chain()  # the prefetches fill their own copy
            return list(queryset)
        # As list(queryset) does, without a copy of the queryset for each run.
        return list(queryset._iterable_class(queryset, chunk_size=GET_ITERATOR_CHUNK_SIZE))


# A parameter's place in Django's SQL; "%%" is a percent sign.
_PLACEHOLDER_RE = re.compile(r"%%|%s")


def _literal(value) -> str | None:
    """`value` as a PostgreSQL literal, for the kinds written into the SQL; else None."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    if isinstance(value, int):
        return str(int(value))
    text = str(value)  # a TextChoices member as its value
    if "\\" in text or "\x00" in text:
        return None  # left to the adapter, whatever standard_conforming_strings says
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _constants_written_in(sql: str, slots: list) -> tuple[str, list]:
    """The SQL with its constant ints and strings as literals, and the slots left."""
    parts, kept, position, index = [], [], 0, 0
    for match in _PLACEHOLDER_RE.finditer(sql):
        if match.group() == "%%":
            continue
        if index == len(slots):
            return sql, slots  # placeholders not as expected: leave the SQL as it is
        slot = slots[index]
        index += 1
        literal = _literal(slot.value) if isinstance(slot, _Constant) else None
        if literal is None:
            kept.append(slot)
            continue
        parts += [sql[position : match.start()], literal]
        position = match.end()
    if index != len(slots):
        return sql, slots  # placeholders not as expected: leave the SQL as it is
    parts.append(sql[position:])
    return "".join(parts), kept


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
