"""A topic page ranks its people by the works they have on it, then by their latest one."""

import re

import pytest

from tests.factories import AuthorshipFactory, ResearcherFactory, TopicFactory, WorkFactory
from works.models import WorkTopic

pytestmark = pytest.mark.django_db


def on_topic(topic, *authors):
    work = WorkFactory()
    WorkTopic.objects.create(work=work, topic=topic, score=0.9)
    for position, author in enumerate(authors):
        AuthorshipFactory(work=work, researcher=author, position=position)
    return work


def test_people_rank_by_works_on_the_topic_then_by_their_latest(client):
    topic = TopicFactory()
    prolific, early, late = (
        ResearcherFactory(display_name=name) for name in ("Zoë Prolific", "Ada Early", "Mo Late")
    )
    on_topic(topic, prolific, early)
    on_topic(topic, prolific)
    on_topic(topic, late)
    on_topic(TopicFactory(), early)  # another topic's work counts for nothing here

    html = client.get(topic.get_absolute_url()).content.decode()

    people = re.findall(
        r'<li><a href="/researchers/[^"]+/">([^<]+)</a> <span[^>]*>(\d+) work', html
    )
    assert people == [("Zoë Prolific", "2"), ("Mo Late", "1"), ("Ada Early", "1")]


def test_the_page_costs_the_same_queries_for_many_people_as_for_few(
    client, django_assert_max_num_queries
):
    topic = TopicFactory()
    on_topic(topic, ResearcherFactory())
    with django_assert_max_num_queries(10) as few:
        client.get(topic.get_absolute_url())
    for _ in range(40):
        on_topic(topic, ResearcherFactory(), ResearcherFactory())
    with django_assert_max_num_queries(len(few)):
        client.get(topic.get_absolute_url())
