"""The IVR application (``ivr_app.py``) served by Django, as a single-file project.

Run it with your application's key and secret::

    export SINCH_APPLICATION_KEY=... SINCH_APPLICATION_SECRET=...
    python examples/app_django.py       # http://127.0.0.1:8000/sinch/callback

In a Django project, put the view in an app's ``views.py`` and its path in ``urls.py``.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(32),
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver", *os.environ.get("ALLOWED_HOSTS", "").split()],
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
    )
    django.setup()

from django.http import HttpRequest, HttpResponse  # after settings.configure(), which these need
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from ivr_app import CALLBACK_PATH, create_app, listen_address

callbacks = create_app()


@csrf_exempt  # Sinch cannot send a CSRF token; the signature check protects the view instead.
def sinch_callback(request: HttpRequest) -> HttpResponse:
    """Hand the raw request to the callback application and return its answer."""
    status, headers, body = callbacks.handle(
        request.method or "", request.get_full_path(), request.headers, request.body
    )
    response = HttpResponse(body, status=status)
    if not body:
        del response["Content-Type"]
    for name, value in headers:
        response[name] = value
    return response


urlpatterns = [path(CALLBACK_PATH.lstrip("/"), sinch_callback)]

# The project's WSGI application: what gunicorn serves, and `svaml simulate app_django:application` plays.
application = get_wsgi_application()


if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    logging.basicConfig(level=logging.INFO)
    host, port = listen_address()
    execute_from_command_line([sys.argv[0], "runserver", "--noreload", f"{host}:{port}"])
