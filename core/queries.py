"""A read that every page makes with the same SQL (the category tree, the latest exchange rates),
compiled once per process and database instead of on every request: building the SQL of a queryset
costs more CPU than running a small query (about 0.4-1 ms against 0.05 ms for the rows).

The queryset is still the one source of the SQL; only its compilation is kept. Each call runs the
query (so the rows are never stale) on the database the router reads that model from, as the
queryset would, and converts the values as the ORM does (values_list rows)."""
from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet


class CompiledRead:
    """`make()` returns a values_list queryset that takes nothing from the request; `rows()` runs its
    SQL, compiled on the first call for each database alias."""

    def __init__(self, make: Callable[[], QuerySet]) -> None:
        self.make = make
        self.model = None
        self._compiled: dict[tuple[str, str], tuple[str, tuple, Any, list]] = {}
        self._lock = Lock()

    def _compile(self, alias: str, vendor: str) -> tuple[str, tuple, Any, list]:
        with self._lock:
            compiled = self._compiled.get((alias, vendor))
            if compiled is None:
                compiler = self.make().query.get_compiler(using=alias)
                sql, params = compiler.as_sql()
                fields = [select[0] for select in compiler.select[:compiler.col_count]]
                compiled = self._compiled[(alias, vendor)] = (sql, tuple(params), compiler,
                                                              compiler.get_converters(fields))
            return compiled

    def rows(self) -> list[tuple]:
        if self.model is None:
            self.model = self.make().model
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        sql, params, compiler, converters = self._compile(alias, connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            return [tuple(row) for row in compiler.apply_converters(map(list, rows), converters)]
        return [tuple(row) for row in rows]

    def clear(self) -> None:
        """Forgets the compiled SQL (after a change of the models' fields, in tests)."""
        with self._lock:
            self._compiled.clear()
