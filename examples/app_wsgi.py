"""The IVR application (``ivr_app.py``) as a bare WSGI application, served by ``wsgiref``.

Run it with your application's key and secret::

    export SINCH_APPLICATION_KEY=... SINCH_APPLICATION_SECRET=...
    python examples/app_wsgi.py         # http://127.0.0.1:8000/sinch/callback

``application`` works in any WSGI server too: ``gunicorn --chdir examples app_wsgi:application``.
"""

from __future__ import annotations

import logging
from wsgiref.simple_server import make_server

from ivr_app import CALLBACK_PATH, create_app, listen_address

application = create_app().wsgi


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    host, port = listen_address()
    with make_server(host, port, application) as server:
        print(f"listening on http://{host}:{port}{CALLBACK_PATH}")
        server.serve_forever()
