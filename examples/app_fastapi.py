"""The IVR application (``ivr_app.py``) served by FastAPI, with an ``async def`` function.

Run it with your application's key and secret::

    export SINCH_APPLICATION_KEY=... SINCH_APPLICATION_SECRET=...
    python examples/app_fastapi.py      # http://127.0.0.1:8000/sinch/callback
"""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from fastapi import FastAPI, Request, Response
from ivr_app import CALLBACK_PATH, create_app, listen_address

from svaml.model import NotifyEvent

log = logging.getLogger("ivr_app")
callbacks = create_app()
api = FastAPI()


@callbacks.notify
async def notified(event: NotifyEvent) -> None:
    """Awaited on FastAPI's event loop: where an async database or HTTP client would be awaited."""
    await asyncio.sleep(0)
    log.info("notify %s for call %s", event.type, event.call_id)


@api.post(CALLBACK_PATH)
async def sinch_callback(request: Request) -> Response:
    """Hand the raw request to the callback application and return its answer."""
    body = await request.body()  # the raw bytes: the signature covers them exactly
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # Async functions are awaited here, on the loop; the plain IVR functions run in a worker thread.
    status, headers, content = await callbacks.handle_async(request.method, path, request.headers, body)
    return Response(content, status_code=status, headers=dict(headers))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    host, port = listen_address()
    uvicorn.run(api, host=host, port=port)
