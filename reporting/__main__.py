"""`python -m reporting --port 5000`: the intake on the development server."""

from __future__ import annotations

from core.web.devserver import run_app

if __name__ == "__main__":
    from reporting import create_app

    run_app(create_app, default_port=5000)
