"""works.sanitize: the one sanitiser for foreign titles and abstracts.

The attack strings come from tests/fixtures/attack-inputs/ (see PROVENANCE.md there): RSnake's
and Brute Logic's XSS lists and the Big List of Naughty Strings.
"""

import importlib
import json
import re

import pytest
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from tests.factories import WorkFactory
from works.ingest import ingest_works
from works.models import Work
from works.sanitize import ALLOWED_TAGS, sanitize_html, title_key_of, to_plain_text
from works.sources.records import WorkRecord

migration = importlib.import_module("works.migrations.0011_work_latex_citations_as_text")

ATTACKS = FIXTURES / "attack-inputs"
# PROVENANCE.md: split on b"\n" only; str.splitlines() would break some payloads apart.
XSS = [line.decode("utf-8") for line in (ATTACKS / "xss-shared.txt").read_bytes().split(b"\n")]
XSS = [line for line in XSS if line]
NAUGHTY = json.loads((ATTACKS / "naughty-strings.json").read_text(encoding="utf-8"))

ALLOWED_TAG = re.compile(r"</?(?:{})>".format("|".join(sorted(ALLOWED_TAGS))))
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
FORBIDDEN_ELEMENT = re.compile(r"<\s*/?\s*(?:svg|math|img|iframe|script|object|embed)\b", re.I)


def assert_only_allowed_markup(output: str) -> None:
    """nh3 escapes every '<' in text, so each '<' left must open an allowed, bare tag."""
    lowered = output.lower()
    assert "<script" not in lowered
    assert not EVENT_ATTRIBUTE.search(output)
    assert not FORBIDDEN_ELEMENT.search(output)
    for tag in re.findall(r"<[^>]*>", output):
        assert "javascript:" not in tag.lower()
    assert "<" not in ALLOWED_TAG.sub("", output), output


def test_the_attack_lists_are_complete():
    # PROVENANCE.md: 233 XSS payloads and 515 naughty strings.
    assert (len(XSS), len(NAUGHTY)) == (233, 515)


@pytest.mark.parametrize("payload", XSS)
def test_xss_payload_leaves_no_live_markup(payload):
    assert_only_allowed_markup(sanitize_html(payload))
    assert_only_allowed_markup(sanitize_html(f"Deep learning {payload} in practice"))


@pytest.mark.parametrize("payload", NAUGHTY)
def test_naughty_string_is_cleaned_without_error(payload):
    cleaned = sanitize_html(payload)
    plain = to_plain_text(cleaned)

    assert_only_allowed_markup(cleaned)
    # Plain text may show "<script" only where the stored HTML holds it as escaped text, which
    # templates escape again; it never comes from a tag that survived.
    assert plain.lower().count("<script") <= cleaned.lower().count("&lt;script")
    assert "\x00" not in cleaned


@pytest.mark.parametrize("tag", sorted(ALLOWED_TAGS - {"br"}))
def test_allowed_tags_survive_without_attributes(tag):
    raw = f'x <{tag} class="c" style="color:red" onclick="alert(1)" id="i">y</{tag}> z'

    assert sanitize_html(raw) == f"x <{tag}>y</{tag}> z"


def test_line_break_survives_without_attributes():
    assert sanitize_html('one<br class="x" onmouseover="alert(1)">two') == "one<br>two"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Safe <script>alert(1)</script>title", "Safe title"),
        ("Safe <style>body{display:none}</style>title", "Safe title"),
        ("Safe <math><mi>x</mi></math>title", "Safe title"),
        ("Safe <svg><text>x</text></svg>title", "Safe title"),
        ("Safe <iframe src=//evil.example>frame</iframe>title", "Safe title"),
        ('Safe <img src=x onerror="alert(1)">title', "Safe title"),
        ('<a href="javascript:alert(1)">Linked</a> title', "Linked title"),
        ("<div><span>Nested</span></div> title", "Nested title"),
    ],
)
def test_disallowed_elements_are_removed(raw, expected):
    assert sanitize_html(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We prove $x<y$ for every $n$.",
        "For $0<t<T$ the flow is smooth.",
        r"Assume $\alpha<\beta$ and $i<j<k$.",
        "Significant at p < 0.05 and p<0.01.",
        "Bounds $x<-1$ and $2<3$ hold.",
        "An arrow <- and a heart <3 stay text.",
    ],
)
def test_latex_and_comparisons_keep_their_text(text):
    cleaned = sanitize_html(text)

    assert "<" not in ALLOWED_TAG.sub("", cleaned)
    assert to_plain_text(cleaned) == text


def test_latex_less_than_before_a_letter_and_space_keeps_its_text():
    text = "We need $a<b c$ to hold."

    assert to_plain_text(sanitize_html(text)) == text


@pytest.mark.parametrize(
    ("raw", "stored", "shown"),
    [
        # The real OpenAlex title (works_author_A5023888391_page1.json, W2154768595).
        ("ASIS&amp;T 2011", "ASIS&amp;T 2011", "ASIS&T 2011"),
        # Entities are decoded once: a doubly escaped ampersand shows as "&amp;", not "&".
        ("A &amp;amp; B", "A &amp;amp; B", "A &amp; B"),
        ("x &lt; y", "x &lt; y", "x < y"),
        ("caf&eacute; &#233;t&#xE9;", "café été", "café été"),
        ("AT&T labs", "AT&amp;T labs", "AT&T labs"),
        # Escaped markup is text, not markup: it is shown, never run or rendered as a tag.
        ("&lt;i&gt;E. coli&lt;/i&gt;", "&lt;i&gt;E. coli&lt;/i&gt;", "<i>E. coli</i>"),
        (
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "<script>alert(1)</script>",
        ),
        ("&amp;lt;b&amp;gt;", "&amp;lt;b&amp;gt;", "&lt;b&gt;"),
    ],
)
def test_entities_are_decoded_exactly_once(raw, stored, shown):
    cleaned = sanitize_html(raw)

    assert cleaned == stored
    assert to_plain_text(cleaned) == shown


def test_lone_surrogate_from_broken_json_does_not_crash():
    raw = json.loads('"Broken \\ud83d emoji in a title"')

    cleaned = sanitize_html(raw)

    assert cleaned.startswith("Broken")
    cleaned.encode("utf-8")


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_input_gives_empty_text(raw):
    assert sanitize_html(raw) == ""


def test_nul_characters_are_dropped():
    assert sanitize_html("Neu\x00ral <i>net\x00s</i>") == "Neural <i>nets</i>"


def test_plain_text_drops_markup_but_keeps_words():
    cleaned = sanitize_html("<p>The <i>E. coli</i> H<sub>2</sub>O <b>result</b></p>")

    assert to_plain_text(cleaned) == "The E. coli H2O result"


markup_soup = st.text(
    alphabet=st.sampled_from(list("<>/&;=\"' $\\abipsrcgmtx#0123456789"))
    # Lone surrogates are covered by test_lone_surrogate_from_broken_json_does_not_crash.
    | st.characters(exclude_categories=["Cs"]),
    max_size=80,
)


@given(markup_soup)
def test_sanitising_is_safe_and_stable(raw):
    cleaned = sanitize_html(raw)

    assert_only_allowed_markup(cleaned)
    # Ingest compares a fresh sanitise with the stored value: cleaning stored text again must
    # not change it (it would, were entities decoded twice).
    assert sanitize_html(cleaned) == cleaned


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (
            r"as shown by \citep{smith2020, jones} and \cite{doe}.",
            "as shown by [smith2020, jones] and [doe].",
        ),
        (r"\citet[see][p.~2]{kim19} argue", "[kim19] argue"),
        (r"in Fig.~\ref{fig:1} and \eqref{eq2}", "in Fig.~[fig:1] and [eq2]"),
        (r"prior work \citep{}", "prior work [citation]"),
        (r"$x \leq y$ holds", r"$x \leq y$ holds"),
    ],
)
def test_latex_citation_commands_read_as_text(raw, shown):
    assert sanitize_html(raw) == shown
    assert sanitize_html(sanitize_html(raw)) == shown


@pytest.mark.django_db
def test_stored_abstracts_with_citation_commands_are_rewritten():
    """Migration 0009 gives stored rows what ingest now does (Work.save sanitises too)."""
    work = WorkFactory()
    raw = r"Following \citep{smith2020}, we \cite{x} it."
    Work.objects.filter(pk=work.pk).update(abstract=raw, title=r"On \cite{y} things")

    migration.latex_citations_as_text(apps, None)

    work.refresh_from_db()
    assert work.abstract == "Following [smith2020], we [x] it."
    assert (work.title, work.title_key) == ("On [y] things", title_key_of("On [y] things"))


@pytest.mark.django_db
def test_ingest_stores_citation_commands_as_text():
    ingest_works([WorkRecord(title="T", arxiv_id="2101.1", abstract=r"As in \citep{a1}.")])
    assert Work.objects.get().abstract == "As in [a1]."
