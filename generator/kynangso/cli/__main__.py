"""`python -m kynangso.cli`, as the tests and benchmarks run the command."""

from __future__ import annotations

from kynangso.cli import main

main()
