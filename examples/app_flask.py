"""The IVR application (``ivr_app.py``) served by Flask.

Run it with your application's key and secret::

    export SINCH_APPLICATION_KEY=... SINCH_APPLICATION_SECRET=...
    python examples/app_flask.py        # http://127.0.0.1:8000/sinch/callback
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from ivr_app import CALLBACK_PATH, create_app, listen_address

callbacks = create_app()
app = Flask(__name__)


@app.post(CALLBACK_PATH)
def sinch_callback() -> Response:
    """Hand the raw request to the callback application and return its answer."""
    # Keep the query string, in case the callback URL has one: it is signed too.
    query = request.query_string.decode("latin-1")
    path = request.path + (f"?{query}" if query else "")
    status, headers, body = callbacks.handle(request.method, path, request.headers, request.get_data())
    return Response(body, status=status, headers=list(headers))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    host, port = listen_address()
    app.run(host=host, port=port)
