"""`python -m kynangso.cli`, as the tests and benchmarks run the command."""

from __future__ import annotations

from kynangso.cli import main

# Guarded: a process the server spawns (the coach's) must not start the command again.
if __name__ == "__main__":
    main()
