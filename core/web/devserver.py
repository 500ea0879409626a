"""Development server runner that never logs client addresses (invariant 3)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any

from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import run_simple

from config import load_settings


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler writes the client address on every request; ours does not."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002
        # The base class prefixes the client address; keep only the message.
        if type == "error":
            logging.getLogger("werkzeug").error(message, *args)


def run_app(factory: Callable[[], Any], *, default_port: int) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    args = parser.parse_args()
    from core.web import configure_logging

    configure_logging(load_settings().log_level)
    app = factory()
    run_simple(
        args.host,
        args.port,
        app,
        request_handler=QuietHandler,
        threaded=True,
        use_reloader=False,
    )
