"""The stored search vectors (migration 0002, PostgreSQL) hold exactly the weighted
expression search used to compute per match, and follow every edit."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.tests.factories import CoachFactory
from discovery.search_vectors import coach_vector, webinar_vector
from webinars.models import Webinar
from webinars.tests.factories import WebinarFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full text only"),
]


def _same(model, pk, expression) -> bool:
    computed = model.objects.filter(pk=pk).annotate(v=expression).values_list("v", flat=True)
    sql, params = computed.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.search_vector = q.v FROM {model._meta.db_table} t, ({sql}) q"
            " WHERE t.id = %s",
            [*params, pk],
        )
        return cursor.fetchone()[0]


def test_stored_webinar_vector_equals_the_expression_after_an_edit():
    webinar = WebinarFactory(title="Negotiation basics", description="Anchors and offers.")
    assert _same(Webinar, webinar.pk, webinar_vector())
    Webinar.objects.filter(pk=webinar.pk).update(title="Storytelling for leaders")
    assert _same(Webinar, webinar.pk, webinar_vector())


def test_stored_coach_vector_equals_the_expression():
    coach = CoachFactory(headline="Career coach", bio="Ten years in hiring.")
    assert _same(type(coach), coach.pk, coach_vector())


def test_search_finds_a_word_added_by_an_edit(client):
    webinar = WebinarFactory(title="Plain title")
    Webinar.objects.filter(pk=webinar.pk).update(description="Mindfulness for managers")
    assert "Plain title" in client.get("/search/?q=mindfulness").content.decode()
