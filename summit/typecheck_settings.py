"""The settings mypy's Django plugin loads (pyproject.toml, [tool.django-stubs]): summit.settings with a
throwaway key, so `mypy` runs in a bare shell, the pre-commit hook and CI alike. Never served."""

import os

os.environ.setdefault("SECRET_KEY", "typecheck-only-never-served")

from summit.settings import *  # noqa: E402, F403
