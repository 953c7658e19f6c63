"""A WSGI wrapper that puts the number of SQL queries a request made into an X-Queries header.

bench/versus_oscar.py --queries starts each app through it once (a run apart from the timed ones,
as counting costs a little): gunicorn count_queries_wsgi:application, with COUNTED_WSGI naming the
app's own WSGI module (config.wsgi, benchshop.wsgi). Neither app's code changes. The count covers
the whole request, the middleware included (sessions, the basket middleware); Django calls
start_response once the response is built, so every query of the view is in by then."""
import importlib
import os

from django.db import connection

application_inner = importlib.import_module(os.environ["COUNTED_WSGI"]).application


def application(environ, start_response):
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    def start_response_counted(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Queries", str(len(executed)))], exc_info)

    with connection.execute_wrapper(count):
        return application_inner(environ, start_response_counted)
