"""The IVR application (``ivr_app.py``) served by FastAPI.

Run it with your application's key and secret::

    export SINCH_APPLICATION_KEY=... SINCH_APPLICATION_SECRET=...
    python examples/app_fastapi.py      # http://127.0.0.1:8000/sinch/callback
"""

from __future__ import annotations

import logging

import uvicorn
from fastapi import FastAPI, Request, Response
from ivr_app import CALLBACK_PATH, create_app, listen_address
from starlette.concurrency import run_in_threadpool

callbacks = create_app()
api = FastAPI()


@api.post(CALLBACK_PATH)
async def sinch_callback(request: Request) -> Response:
    """Hand the raw request to the callback application and return its answer."""
    body = await request.body()  # the raw bytes: the signature covers them exactly
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # The IVR functions are plain functions; run them off the event loop, as FastAPI does.
    status, headers, content = await run_in_threadpool(
        callbacks.handle, request.method, path, request.headers, body
    )
    return Response(content, status_code=status, headers=dict(headers))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    host, port = listen_address()
    uvicorn.run(api, host=host, port=port)
