"""The one sanitiser for HTML that comes from outside (titles and abstracts).

Built on nh3 (Rust's ammonia). bleach, the usual choice before, reached end of life in 2026 and
gets no more security releases. Foreign text is decoded once, then cleaned once on the way in;
what is stored is safe to render.
"""

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

from works.text import scrub_text, title_key

ALLOWED_TAGS = frozenset({"i", "b", "em", "strong", "sub", "sup", "br", "p"})
# Elements whose content is dropped too, not just the tags.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "math", "svg", "template", "iframe", "object"})
# A "<" that does not open a tag or comment is text (LaTeX such as $x<y$ is common in abstracts);
# without this the HTML parser would swallow what follows it.
_STRAY_LESS_THAN = re.compile(r"<(?!/?[A-Za-z][A-Za-z0-9-]*[\s/>]|!--)")
# Inside TeX math every "<" is a comparison, even "$a<b c$".
_TEX_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
# LaTeX citation and cross-reference commands (\citep[see][p. 2]{a,b}, \ref{fig:1}): arXiv
# abstracts carry them raw, and no renderer here resolves them.
_TEX_CITATION = re.compile(
    r"\\(?:[A-Za-z]*cite[a-z]*|[pP]arencite|[tT]extcite|ref|eqref|autoref|[cC]ref|pageref)\*?"
    r"(?:\s*\[[^\]]*\]){0,2}\s*\{([^{}]*)\}"
)


def has_tex_math(text: str) -> bool:
    """Whether the text holds TeX maths: pages load the typesetter only then."""
    return bool(text) and _TEX_MATH.search(text) is not None


def latex_refs_as_text(text: str) -> str:
    """Each citation or reference command as its keys in brackets ("[smith2020, jones]"),
    or "[citation]" when it names none."""

    def readable(match: re.Match) -> str:
        keys = [key.strip() for key in match.group(1).split(",") if key.strip()]
        return f"[{', '.join(keys)}]" if keys else "[citation]"

    return _TEX_CITATION.sub(readable, text)


def sanitize_html(raw: str | None) -> str:
    """Keep only ALLOWED_TAGS with no attributes; entities are decoded once, by nh3's parser."""
    if not raw:
        return ""
    text = latex_refs_as_text(scrub_text(raw))
    text = _TEX_MATH.sub(lambda match: match.group(0).replace("<", "&lt;"), text)
    text = _STRAY_LESS_THAN.sub("&lt;", text)
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    ).strip()


def as_safe_html(sanitized: str) -> SafeString:
    """Mark text produced by sanitize_html as safe. Only for values stored by ingest."""
    return mark_safe(sanitized)  # noqa: S308 - input was cleaned by sanitize_html on the way in


def to_plain_text(sanitized: str) -> str:
    """Plain text of stored HTML, for <title>, meta tags and search."""
    return html.unescape(nh3.clean(sanitized or "", tags=set())).strip()


def title_key_of(raw_title: str) -> str:
    """Work.title_key: the normalised plain text of the sanitised title (works.text.title_key),
    by which two sources' copies of one paper meet."""
    return title_key(to_plain_text(sanitize_html(raw_title)))[:500]


_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
SEARCH_KEY_LENGTH = 20000


def search_key_of(sanitized: str) -> str:
    """Work.abstract_key: the words of stored HTML for the full-text index, folded like
    title_key, without markup, TeX math or TeX commands."""
    text = _TEX_MATH.sub(" ", to_plain_text(sanitized))
    return title_key(_TEX_COMMAND.sub(" ", text))[:SEARCH_KEY_LENGTH]
