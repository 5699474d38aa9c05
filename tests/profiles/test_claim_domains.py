"""Which domains count as an institution's e-mail: the homepage host OpenAlex gives or the
CLAIM_EMAIL_DOMAINS_EXTRA allow-list, never a webmail or hosting domain (works.mail_domains),
where the domain is derived and again where an address is checked."""

import pytest
from django.core import mail

from profiles import services
from profiles.models import Claim
from profiles.services import ClaimError
from profiles.services.claim_email import email_domain_allowed
from tests.factories import AuthorshipFactory, InstitutionFactory, ResearcherFactory, UserFactory
from works.mail_domains import domain_is_shared
from works.sources import openalex


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "GMAIL.COM",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.jp",
        "mail.yahoo.co.uk",
        "hotmail.fr",
        "outlook.com",
        "outlook.de",
        "qq.com",
        "163.com",
        "vip.163.com",
        "sites.google.com",
        "some-lab.github.io",
        "github.io",
        "github.com",
        "wordpress.com",
        "lab.wordpress.com",
        "blogspot.com",
        "medium.com",
        "proton.me",
        "icloud.com",
        "gmail.com.",
    ],
)
def test_webmail_and_hosting_domains_are_shared(domain):
    assert domain_is_shared(domain)


@pytest.mark.parametrize(
    "domain",
    [
        "umich.edu",
        "cs.stanford.edu",
        "ox.ac.uk",
        "google.com",  # an employer's own addresses
        "yahoo-research.example.edu",
        "outlookinstitute.org",
        "tsinghua.edu.cn",
        "mail.tsinghua.edu.cn",
    ],
)
def test_institution_domains_are_not(domain):
    assert not domain_is_shared(domain)


@pytest.mark.parametrize(
    ("homepage", "domains"),
    [
        ("https://www.umich.edu", ("umich.edu",)),
        ("https://sites.google.com/view/a-lab", ()),
        ("https://a-lab.github.io/", ()),
        ("https://github.com/a-lab", ()),
        ("http://www.yahoo.com/", ()),
        ("https://a-lab.wordpress.com", ()),
    ],
)
def test_a_homepage_on_a_shared_host_gives_no_email_domain(homepage, domains):
    # Fails without `not domain_is_shared(host)` in works.sources.openalex._email_domains.
    record = openalex.parse_institution({"id": "https://openalex.org/I1", "homepage_url": homepage})

    assert record.email_domains == domains


def test_an_address_at_a_shared_host_is_refused_whatever_the_domains_say():
    # Fails without `if domain_is_shared(domain)` in claim_email.email_domain_allowed.
    assert email_domain_allowed(email="ada@uni.example.edu", domains={"uni.example.edu"})
    assert not email_domain_allowed(email="ada@gmail.com", domains={"gmail.com"})
    assert not email_domain_allowed(email="ada@lab.github.io", domains={"github.io"})


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.org")


def test_a_shared_domain_stored_before_the_deny_list_counts_for_nothing(ada):
    # Fails without the shared-host filter at the end of researcher_email_domains.
    # An institution imported before the deny-list, its homepage on Yahoo's sites.
    researcher = ResearcherFactory(
        display_name="Ada Lovelace",
        institution=InstitutionFactory(email_domains=["yahoo.com", "sites.google.com"]),
    )
    claim = services.claim_start(user=ada, researcher=researcher, method=Claim.Method.EMAIL)

    assert services.researcher_email_domains(researcher=researcher) == set()
    with pytest.raises(ClaimError, match="No institutional e-mail domain is known"):
        services.claim_email_code_send(claim=claim, email="ada.lovelace@yahoo.com")
    assert mail.outbox == []


def test_the_allow_list_adds_domains_by_openalex_or_ror_id(ada, settings):
    institution = InstitutionFactory(
        openalex_id="I27837315", ror="00jmfr291", email_domains=["umich.edu"]
    )
    other = InstitutionFactory(openalex_id="I1", ror="", email_domains=[])
    researcher = ResearcherFactory(display_name="Ada Lovelace", institution=institution)
    AuthorshipFactory(researcher=researcher).institutions.add(other)
    settings.CLAIM_EMAIL_DOMAINS_EXTRA = {
        "I27837315": ["med.umich.edu"],
        "00jmfr291": ["umich.org"],
        "I1": ["other.example", "gmail.com"],  # a shared host is dropped even here
    }

    assert services.researcher_email_domains(researcher=researcher) == {
        "umich.edu",
        "med.umich.edu",
        "umich.org",
        "other.example",
    }
    claim = services.claim_start(user=ada, researcher=researcher, method=Claim.Method.EMAIL)
    services.claim_email_code_send(claim=claim, email="ada@other.example")
    with pytest.raises(ClaimError, match="not at one of this record's institutions"):
        services.claim_email_code_send(claim=claim, email="ada@gmail.com")
