"""works.citations without a database: each format read back by a real parser (pybtex for
BibTeX, rispy for RIS, jsonschema with the CSL-JSON schema), and citeproc-py's references."""

import datetime
import json

import jsonschema
import rispy
from pybtex.database import parse_string

from tests.conftest import FIXTURES
from works import citations
from works.citations import Author, Reference

CSL_SCHEMA = json.loads((FIXTURES / "schemas" / "csl-data.json").read_text(encoding="utf-8"))
HOSTILE_TITLE = "50% of {braces} & $x^2_i$ ~ #1 \\cite{a} — Ünïcödé 量子 </script>"


def reference(**fields) -> Reference:
    base = {
        "title": "Deep unsupervised learning using nonequilibrium thermodynamics",
        "authors": (Author("Jascha Sohl-Dickstein"), Author("Éric Müller"), Author("Plato")),
        "type": "article",
        "year": 2015,
        "date": datetime.date(2015, 3, 12),
        "venue": "ICML",
        "doi": "10.48550/arxiv.1503.03585",
        "arxiv_id": "1503.03585",
        "url": "https://bzpeer.example/works/deep/",
        "abstract": "We develop an approach.",
    }
    return Reference(**{**base, **fields})


def keyed(*references: Reference) -> list[Reference]:
    return list(citations.with_keys(references))


def test_bibtex_escapes_every_tex_special_and_keeps_unicode():
    text = citations.bibtex_entry(keyed(reference(title=HOSTILE_TITLE))[0])
    [(key, entry)] = parse_string(text, "bibtex").entries.items()

    title = entry.fields["title"]
    for special, escaped in [
        ("&", r"\&"),
        ("%", r"\%"),
        ("#", r"\#"),
        ("_", r"\_"),
        ("$", r"\$"),
        ("~", r"\textasciitilde{}"),
        ("^", r"\textasciicircum{}"),
        ("{", r"\textbraceleft{}"),
        ("}", r"\textbraceright{}"),
        ("\\cite", r"\textbackslash{}cite"),
    ]:
        assert escaped in title, special
    assert "Ünïcödé 量子" in title
    # Outer braces protect capitals; nothing else is left unescaped.
    assert title.startswith("{50") and title.endswith("/script>}")
    assert key == "sohldickstein201550"
    assert [str(p).replace("{", "").replace("}", "") for p in entry.persons["author"]] == [
        "Sohl-Dickstein, Jascha",
        "Müller, Éric",
        "Plato",
    ]


def test_bibtex_keys_are_unique_with_letter_suffixes():
    same = reference(title="Deep thoughts")
    text = "".join(citations.bibtex_entry(r) for r in keyed(same, same, same, reference()))
    keys = list(parse_string(text, "bibtex").entries)

    assert keys == [
        "sohldickstein2015deep",
        "sohldickstein2015deepa",
        "sohldickstein2015deepb",
        "sohldickstein2015deepc",
    ]


def test_a_key_without_author_or_year_and_a_title_of_stopwords():
    [only] = keyed(Reference(title="On the"))
    assert only.key == "anonnd"
    assert parse_string(citations.bibtex_entry(only), "bibtex").entries["anonnd"]


def test_ris_round_trips_through_rispy():
    ref = keyed(reference(title=HOSTILE_TITLE + "\nsecond line"))[0]
    [record] = rispy.loads(citations.ris_record(ref))

    assert record["type_of_reference"] == "JOUR"
    assert record["title"] == HOSTILE_TITLE + " second line"
    assert record["authors"] == ["Sohl-Dickstein, Jascha", "Müller, Éric", "Plato"]
    assert record["doi"] == ref.doi
    assert record["year"] == "2015"
    assert record["secondary_title"] == "ICML"


def test_csl_json_validates_against_the_schema():
    items = json.loads(citations.csl_json(keyed(reference())[0]))
    preprint = json.loads(
        "".join(
            citations.csl_json_stream(
                keyed(reference(type="preprint", venue="", date=None), Reference(title="Bare"))
            )
        )
    )

    for document in (items, preprint):
        jsonschema.validate(document, CSL_SCHEMA)
    assert items[0]["type"] == "article-journal"
    assert items[0]["author"][2] == {"literal": "Plato"}
    assert preprint[0]["type"] == "article" and preprint[0]["number"] == "arXiv:1503.03585"
    assert preprint[1] == {"id": "anonndbare", "type": "document", "title": "Bare"}


def test_the_schema_refuses_what_it_should():
    # The bundled schema is strict: an unknown key or type is an error, so the test above
    # would catch one of ours.
    try:
        jsonschema.validate([{"id": "x", "type": "paper", "title": "t"}], CSL_SCHEMA)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepted an unknown type")


def test_formatted_references_in_apa_and_chicago():
    ref = reference()
    apa = citations.formatted(ref, "apa")
    chicago = citations.formatted(ref, "chicago-author-date")

    assert apa.startswith("Sohl-Dickstein, J., Müller, É., & Plato. (2015). Deep unsupervised")
    assert "https://doi.org/10.48550/arxiv.1503.03585" in apa
    assert chicago.startswith("Sohl-Dickstein, J., É. Müller, and Plato. 2015.")
