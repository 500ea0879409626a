"""`python -m casework --port 5001`: the casework app on the development server."""

from __future__ import annotations

from core.web.devserver import run_app

if __name__ == "__main__":
    from casework import create_app

    run_app(create_app, default_port=5001)
