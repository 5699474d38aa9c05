"""works.sources.arxiv against recorded arXiv answers served by a local HTTP server."""

import datetime
import itertools
import json
import re
import time

import pytest
from werkzeug import Response

from tests.conftest import FIXTURES
from works.sanitize import sanitize_html, to_plain_text
from works.sources.arxiv import ArxivClient, parse_feed
from works.sources.http import PageInvalid, RetryPolicy
from works.sources.records import AuthorRecord

RECORDED = FIXTURES / "arxiv"
FAST = RetryPolicy(max_attempts=4, backoff_base=0.01)
PATH = "/api/query"


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


def keeping_entries(body: bytes, count: int) -> bytes:
    """A recorded page with only its first `count` entries, its totalResults untouched: the
    shape of arXiv's short pages."""
    entries = re.findall(rb"\s*<entry>.*?</entry>", body, flags=re.DOTALL)
    for entry in entries[count:]:
        body = body.replace(entry, b"", 1)
    return body


def by_id(feed) -> dict:
    return {record.arxiv_id: record for record in feed.records}


def names(record) -> list[str]:
    return [authorship.raw_author_name for authorship in record.authorships]


class Sleeps:
    """Stands in for time.sleep and time.monotonic: sleeping moves the clock."""

    def __init__(self):
        self.now = 1000.0
        self.calls: list[float] = []

    def clock(self) -> float:
        return self.now

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(httpserver, sleeps):
    def make(**kwargs) -> ArxivClient:
        kwargs.setdefault("min_interval", 0)
        kwargs.setdefault("policy", FAST)
        kwargs.setdefault("sleep", sleeps)
        kwargs.setdefault("clock", sleeps.clock)
        return ArxivClient(base_url=httpserver.url_for(PATH), **kwargs)

    return make


# --- Parsing the recorded feeds ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(path.name for path in RECORDED.glob("*.xml")))
def test_every_recorded_feed_parses_into_complete_records(name):
    feed = parse_feed(recorded(name))

    assert len(feed.records) == min(feed.items_per_page, feed.total_results - feed.start_index)
    for record in feed.records:
        assert re.fullmatch(r"\d{4}\.\d{4,5}|[a-z-]+/\d{7}", record.arxiv_id)
        assert record.title and record.abstract and record.authorships
        assert record.publication_year == record.publication_date.year
        assert (record.type, record.venue, record.arxiv_id_confident) == ("preprint", "arXiv", True)
        assert json.loads(json.dumps(record.payload)) == record.payload


def test_current_format_entry():
    feed = parse_feed(recorded("id_list_1605.08386.xml"))

    assert (feed.total_results, feed.start_index, feed.items_per_page) == (1, 0, 100)
    [record] = feed.records
    assert record.arxiv_id == "1605.08386"
    assert record.title == "Heat-bath random walks with Markov bases"
    assert record.abstract.startswith("Graphs on lattice points are studied")
    assert record.publication_date == datetime.date(2016, 5, 26)
    assert record.doi is None
    assert names(record) == ["Caprice Stanley", "Tobias Windisch"]
    assert record.authorships[0].author == AuthorRecord(
        display_name="Caprice Stanley", arxiv_name_forms=("Caprice Stanley",)
    )
    assert record.payload["id"] == "1605.08386v1"
    assert record.payload["primary_category"] == "math.CO"
    assert record.payload["categories"] == ["math.CO", "math.ST"]
    assert record.payload["comment"] == "20 pages, 3 figures"


def test_legacy_format_entry_with_wrapped_text_and_doi():
    [record] = parse_feed(recorded("legacy_2016_id_list_1111.2011v2.xml")).records

    assert record.arxiv_id == "1111.2011"
    assert record.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert record.abstract.startswith("Theoretical description of anisotropic systems, such as")
    assert "\n" not in record.abstract and "  " not in record.abstract
    assert record.doi == "10.1103/physrevb.85.115117"
    assert names(record) == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert record.payload["journal_ref"] == "Phys. Rev. B 85, 115117 (2012)"
    assert record.payload["comment"] == "8 pages, 3 figures. Published version"
    assert record.payload["primary_category"] == "cond-mat.str-el"


@pytest.mark.parametrize(
    ("name", "arxiv_id", "published", "updated_year"),
    [
        ("legacy_2016_id_list_1111.2011v2.xml", "1111.2011", datetime.date(2011, 11, 8), 2012),
        ("legacy_2016_search_au_del_maestro.xml", "1412.6529", datetime.date(2014, 12, 19), 2015),
        ("search_testing_start10_max10.xml", "2403.16981", datetime.date(2024, 3, 25), 2025),
    ],
)
def test_year_is_the_first_versions_not_the_last_updates(name, arxiv_id, published, updated_year):
    record = by_id(parse_feed(recorded(name)))[arxiv_id]

    assert record.payload["updated"].startswith(str(updated_year))
    assert record.publication_date == published
    assert record.publication_year == published.year


def test_old_style_id_keeps_its_archive_and_loses_its_version():
    [record] = parse_feed(recorded("id_list_quant-ph_0201082v1.xml")).records

    assert record.arxiv_id == "quant-ph/0201082"
    assert record.payload["id"] == "quant-ph/0201082v1"


def test_legacy_author_search_page():
    feed = parse_feed(recorded("legacy_2016_search_au_del_maestro.xml"))

    assert (feed.total_results, feed.start_index, feed.items_per_page) == (31, 0, 10)
    records = by_id(feed)
    assert names(records["cond-mat/0412498"]) == ["Adrian Del Maestro", "Subir Sachdev"]
    assert names(records["1303.6954"]) == ["B. Kulchytskyy", "G. Gervais", "A. Del Maestro"]
    assert records["1201.4869"].doi == "10.1142/s021797921244002x"
    # Plain text from arXiv stays text through the sanitiser: "p >= 3" is not a tag.
    assert "(p >= 3, integer)" in to_plain_text(sanitize_html(records["cond-mat/0412498"].abstract))


def test_affiliations_are_kept_per_author():
    record = by_id(parse_feed(recorded("legacy_2025-08_search_all_electron_AND_all_proton.xml")))[
        "hep-ph/9411242"
    ]

    [authorship] = record.authorships
    assert authorship.raw_author_name == "Raimo Vuopionperä"
    assert authorship.raw_affiliation == "SEFT, Univ. Helsinki"


def test_current_search_page_with_dois_and_non_ascii_text():
    first = by_id(parse_feed(recorded("search_testing_start0_max10.xml")))
    second = parse_feed(recorded("search_testing_start10_max10.xml"))

    assert second.start_index == 10
    assert by_id(second)["2407.18756"].doi == "10.1145/3679006.3685071"
    assert "Katharina Götz" in names(by_id(second)["2202.06271"])
    title = first["2302.03287"].title
    assert to_plain_text(sanitize_html(title)) == (
        "ChatGPT and Software Testing Education: Promises & Perils"
    )
    assert (
        first["1202.4527"]
        .payload["journal_ref"]
        .startswith("International Journal of Software Engineering & Applications")
    )


def test_empty_recorded_answer_is_an_empty_feed():
    feed = parse_feed(recorded("id_list_0000.0000_empty.xml"))

    assert (feed.records, feed.total_results) == ([], 0)


# Constructed, not recorded (no recorded error feed exists): the shape arXiv's API manual
# documents for a bad query, an HTTP 200 feed with one entry titled "Error".
ERROR_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <title>arXiv Query: search_query=&amp;id_list=1234.1234&amp;start=0&amp;max_results=10</title>
  <id>http://arxiv.org/api/hvWk3o0Zl8XC3OyK0EV0UJ4Oh8k</id>
  <updated>2026-04-12T00:00:00-04:00</updated>
  <opensearch:totalResults>1</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234</id>
    <title>Error</title>
    <summary>incorrect id format for 1234.1234</summary>
    <updated>2026-04-12T00:00:00-04:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234" rel="alternate"
      type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
"""

# Constructed attacks: an external entity pointing at a local file, and entity expansion.
XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <opensearch:totalResults>1</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/abs/1605.08386v1</id>
    <title>&secret;</title>
    <summary>&secret;</summary>
    <published>2016-05-26T17:59:46Z</published>
    <author><name>&secret;</name></author>
  </entry>
</feed>
"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>
"""


def test_error_entry_is_a_failed_page_with_arxivs_message():
    with pytest.raises(PageInvalid, match="incorrect id format for 1234.1234"):
        parse_feed(ERROR_FEED)


@pytest.mark.parametrize("body", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_entity_payloads_are_refused_without_being_resolved(body):
    with pytest.raises(PageInvalid, match="DTD or entities") as caught:
        parse_feed(body)

    assert "root:" not in str(caught.value) and "lollol" not in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [b"Rate exceeded.", b"<html><body><h1>Service unavailable</h1></body></html>", b"<feed"],
    ids=["plain-text", "html", "truncated"],
)
def test_a_body_that_is_not_an_atom_feed_is_a_failed_page(body):
    with pytest.raises(PageInvalid, match="not XML|not an Atom feed"):
        parse_feed(body)


# --- The client against a local server ------------------------------------------------------


def test_author_search_asks_for_the_name_forms_oldest_first(httpserver, make_client):
    httpserver.expect_request(PATH).respond_with_data(
        recorded("legacy_2016_search_au_del_maestro.xml"), content_type="application/atom+xml"
    )

    feed = make_client(page_size=10).search_author(
        ["Adrian Del Maestro", "A. Del Maestro", "Adrian  Del Maestro"], start=0
    )

    assert len(feed.records) == 10
    [(request, _)] = httpserver.log
    assert request.args.to_dict() == {
        "search_query": 'au:"Adrian Del Maestro" OR au:"A. Del Maestro"',
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
        "start": "0",
        "max_results": "10",
    }


def test_a_search_arxiv_finds_nothing_for_is_an_empty_answer_not_a_retry(httpserver, make_client):
    httpserver.expect_request(PATH).respond_with_data(recorded("id_list_0000.0000_empty.xml"))

    assert make_client().search_author(["Nobody Known"], start=0).records == []
    assert len(httpserver.log) == 1


def test_error_entry_from_the_server_fails_the_page_with_its_message(httpserver, make_client):
    httpserver.expect_request(PATH).respond_with_data(ERROR_FEED)

    with pytest.raises(PageInvalid, match="arXiv reported an error: incorrect id format"):
        make_client().search_author(["Caprice Stanley"], start=0)


def test_xxe_from_the_server_fails_the_page(httpserver, make_client):
    httpserver.expect_request(PATH).respond_with_data(XXE)

    with pytest.raises(PageInvalid) as caught:
        make_client().search_author(["Caprice Stanley"], start=0)

    assert "root:" not in caught.value.message


def test_consecutive_requests_wait_min_interval(httpserver, make_client, sleeps):
    httpserver.expect_request(PATH).respond_with_data(recorded("id_list_1605.08386.xml"))
    client = make_client(min_interval=3.0)

    client.search_author(["Caprice Stanley"], start=0)
    client.search_author(["Caprice Stanley"], start=0)

    assert sleeps.calls == [pytest.approx(3.0)]


def test_server_sees_requests_at_least_min_interval_apart(httpserver):
    arrivals = []

    def answer(request):
        arrivals.append(time.monotonic())
        return Response(recorded("id_list_1605.08386.xml"), content_type="application/atom+xml")

    httpserver.expect_request(PATH).respond_with_handler(answer)
    client = ArxivClient(base_url=httpserver.url_for(PATH), min_interval=0.3, policy=FAST)

    for _ in range(3):
        client.search_author(["Caprice Stanley"], start=0)

    assert len(arrivals) == 3
    assert min(later - earlier for earlier, later in itertools.pairwise(arrivals)) >= 0.3


def test_empty_page_below_total_results_is_retried_then_fails(httpserver, make_client):
    empty = keeping_entries(recorded("legacy_2016_search_au_del_maestro.xml"), 0)
    httpserver.expect_request(PATH).respond_with_data(empty)
    client = make_client(page_size=10, policy=RetryPolicy(max_attempts=3, backoff_base=0.01))

    with pytest.raises(PageInvalid, match="arXiv returned 0 of 10 expected entries"):
        client.search_author(["Adrian Del Maestro"], start=0)

    assert len(httpserver.log) == 3


def test_short_page_is_asked_again_and_the_full_one_taken(httpserver, make_client, sleeps):
    full = recorded("legacy_2016_search_au_del_maestro.xml")
    httpserver.expect_ordered_request(PATH).respond_with_data(keeping_entries(full, 4))
    httpserver.expect_ordered_request(PATH).respond_with_data(full)

    feed = make_client(page_size=10).search_author(["Adrian Del Maestro"], start=0)

    assert len(feed.records) == 10
    assert len(httpserver.log) == 2
    assert len(sleeps.calls) == 1 and sleeps.calls[0] <= 0.01
    httpserver.check_assertions()


def test_last_page_may_be_shorter_than_page_size(httpserver, make_client):
    last = keeping_entries(recorded("legacy_2016_search_au_del_maestro.xml"), 1)
    httpserver.expect_request(PATH).respond_with_data(last)

    feed = make_client(page_size=10).search_author(["Adrian Del Maestro"], start=30)

    assert len(feed.records) == 1
    assert len(httpserver.log) == 1


def test_server_errors_three_times_then_success(httpserver, make_client):
    for _ in range(3):
        httpserver.expect_ordered_request(PATH).respond_with_data("busy", status=500)
    httpserver.expect_ordered_request(PATH).respond_with_data(recorded("id_list_1605.08386.xml"))
    client = make_client()

    [record] = client.search_author(["Caprice Stanley"], start=0).records

    assert record.arxiv_id == "1605.08386"
    assert client.requests_made == 4
    httpserver.check_assertions()


def test_rate_limit_with_retry_after_is_honoured(httpserver, make_client, sleeps):
    httpserver.expect_ordered_request(PATH).respond_with_data(
        "Rate exceeded.", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(PATH).respond_with_data(recorded("id_list_1605.08386.xml"))

    make_client().search_author(["Caprice Stanley"], start=0)

    assert sleeps.calls == [7.0]
    httpserver.check_assertions()
