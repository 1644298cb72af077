"""Class mode: a team's laptop serves the built site, the completions API and the coach dashboard.

It reads only the built site (`site/catalog.json` and the files), never the YAML sources:
the laptop may run a site built elsewhere, and the server must trust nothing but what was
built. The store (SQLite, one writer thread with group commit), the API models, the coach
dashboard, statistics, export, backups and the report all live here.
"""
