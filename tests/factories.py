"""factory_boy factories for the domain models. Names are deterministic ASCII so that search
tests control exactly which names exist."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from graph.models import Collaboration
from profiles.models import User
from social.models import Follow
from works.models import Authorship, Institution, Researcher, Topic, VerificationLevel, Work
from works.text import fold, make_slug, title_key


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    openalex_id = factory.Sequence(lambda n: f"I9{n:08d}")
    name = factory.Sequence(lambda n: f"Institute of Examples {n}")
    country_code = "GB"
    type = "education"
    email_domains = factory.Sequence(lambda n: [f"example{n}.ac.uk"])


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    external_id = factory.Sequence(lambda n: f"T9{n:06d}")
    name = factory.Sequence(lambda n: f"Example topic {n}")
    subfield = "Artificial Intelligence"
    field = "Computer Science"
    domain = "Physical Sciences"


class ResearcherFactory(factory.django.DjangoModelFactory):
    """An unclaimed L1 record. Pass display_name to control search; slug follows the name."""

    class Meta:
        model = Researcher

    display_name = factory.Sequence(lambda n: f"Researcher Number{n}")
    slug = factory.Sequence(lambda n: f"researcher-{n}")
    name_key = factory.LazyAttribute(lambda r: fold(r.display_name))
    search_name = factory.LazyAttribute(lambda r: fold(r.display_name))
    arxiv_name_forms = factory.LazyAttribute(lambda r: [r.display_name])
    verification_level = VerificationLevel.L1

    class Params:
        named = factory.Trait(slug=factory.LazyAttribute(lambda r: make_slug(r.display_name)))


class WorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Work

    title = factory.Sequence(lambda n: f"A study of example number {n}")
    title_key = factory.LazyAttribute(lambda work: title_key(work.title))
    slug = factory.Sequence(lambda n: f"a-study-of-example-{n}")
    arxiv_id = factory.Sequence(lambda n: f"2401.{n:05d}")
    abstract = "We study an example and report what we found."
    type = "preprint"
    venue = "arXiv"
    publication_year = 2023
    authors_count = 1


class AuthorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authorship

    work = factory.SubFactory(WorkFactory)
    researcher = factory.SubFactory(ResearcherFactory)
    position = 0
    raw_author_name = factory.LazyAttribute(lambda a: a.researcher.display_name)


class CollaborationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaboration

    researcher_a = factory.SubFactory(ResearcherFactory)
    researcher_b = factory.SubFactory(ResearcherFactory)
    shared_works = 1
    first_year = 2023
    last_year = 2023
    strength = 1.0


def established_follower(researcher: Researcher, *, days: int = 30, verified: bool = True) -> User:
    """A user who joined `days` ago, with a verified address or not, following the researcher
    (the row only: callers recount)."""
    user = UserFactory(password=None, date_joined=timezone.now() - datetime.timedelta(days=days))
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    Follow.objects.create(user=user, researcher=researcher)
    return user
