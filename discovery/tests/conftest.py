import itertools

import factory
import pytest


@pytest.fixture(autouse=True)
def _names_no_search_term_matches(monkeypatch):
    """Search tests count what a query finds, and a coach's name is searched too (with
    trigram similarity on PostgreSQL): a random Faker surname such as 'Potter' matched
    'pottery' and put an extra coach in a result list. Factory-made people get names no
    test query resembles; a test that searches by name sets the name itself."""
    numbers = itertools.count(1)
    for generator in factory.Faker._get_faker().factories:
        monkeypatch.setattr(generator, "first_name", lambda: "Xq")
        monkeypatch.setattr(generator, "last_name", lambda: f"Zv{next(numbers)}")
