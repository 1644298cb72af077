"""Kỹ năng số: YAML lessons and quizzes into a bilingual static site."""

from __future__ import annotations

__version__ = "0.1.0"
