"""The `integra` console script: `integra age …` is dispatched before anything else loads.

The age commands need neither click, the settings nor the database, so they start within 2x a
bare Python (docs/performance.md, "CLI start-up"; bench/cli_startup.py checks it). Every other
command goes through the click group in casework/cli.py.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["age"]:
        from casework.cli_age import main as age_main

        sys.exit(age_main(sys.argv[2:]))
    from casework.cli import main as cli_main

    cli_main()
