"""bench/portfolio.py serves the site with production settings plus one route of its own,
the bare view it compares every page and list with (bench/urls.py)."""

from vendorgov.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
