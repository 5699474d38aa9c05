"""Fixtures shared by every test: the demo data, the seed file, hypothesis settings."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings

from works.models import Researcher

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIRECTORY = ROOT / "works" / "demo"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_SLUG = "jascha-sohl-dickstein"

# Derandomised so a run in CI is repeatable; no example database written into the repository.
settings.register_profile(
    "bzpeer",
    database=None,
    derandomize=True,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("bzpeer")


@pytest.fixture(scope="session")
def seed_file() -> dict:
    """works/demo/seed-researcher.json: the seed page's researcher and works."""
    return json.loads((DEMO_DIRECTORY / "seed-researcher.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_titles(seed_file) -> list[str]:
    return [work["title"] for work in seed_file["works"]]


@pytest.fixture
def demo(db):
    """The database after `manage.py load_demo`, as `make run` leaves it."""
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def seed_researcher(demo) -> Researcher:
    return Researcher.objects.get(slug=SEED_SLUG)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Tests share one Redis database; a slice cached by one test must not leak into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
