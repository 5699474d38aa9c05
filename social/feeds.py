"""A researcher's works as an Atom feed, for feed readers."""

import html
import re
from datetime import UTC, datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator

from profiles.selectors import researcher_get, researcher_slug_for_identifier, researcher_works
from works.models import Researcher, Work
from works.sanitize import to_plain_text

FEED_MAX_ENTRIES = 50
SUMMARY_MAX_CHARS = 600
# Characters XML 1.0 cannot carry: Django refuses to write the first kind and parsers reject
# the rest, so one imported title with them would break the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _absolute(path: str) -> str:
    # From SITE_URL, not the request's host, so entry ids stay the same however it is reached.
    return settings.SITE_URL + path


class ResearcherWorksFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            # An OpenAlex author id (A5023888391) in place of the slug, as the profile allows.
            canonical = researcher_slug_for_identifier(identifier=kwargs.get("slug", ""))
            if canonical is None:
                raise
            return redirect("social:researcher_atom", slug=canonical, permanent=True)

    def get_object(self, request, slug):
        try:
            return researcher_get(slug=slug)
        except Researcher.DoesNotExist:
            raise Http404("No researcher has this address.") from None

    def title(self, researcher: Researcher) -> str:
        return _text(f"{researcher.display_name} — new works on BZPEER")

    def subtitle(self, researcher: Researcher) -> str:
        return _text(
            f"Works by {researcher.display_name} from OpenAlex and arXiv, "
            "newest first as BZPEER imports them."
        )

    def link(self, researcher: Researcher) -> str:
        return _absolute(researcher.get_absolute_url())

    def feed_url(self, researcher: Researcher) -> str:
        return _absolute(reverse("social:researcher_atom", kwargs={"slug": researcher.slug}))

    def author_name(self, researcher: Researcher) -> str:
        return _text(researcher.display_name)

    def items(self, researcher: Researcher):
        # By import time, not publication date: a reader shows what is new since it last
        # looked, and an old paper imported today is new to it.
        works = list(
            researcher_works(researcher=researcher).order_by("-created_at", "-pk")[
                :FEED_MAX_ENTRIES
            ]
        )
        # On each work, not on the Feed: one Feed instance serves every request.
        for work in works:
            work.feed_author_name = _text(researcher.display_name)
        return works

    def item_title(self, work: Work) -> str:
        return _text(" ".join(work.plain_title.split()))

    def item_description(self, work: Work) -> str | None:
        if not work.abstract:
            return None
        # Atom's <summary> is declared type="html", so the plain text is escaped once more:
        # a reader shows "<script>" in an abstract as text instead of parsing it.
        plain = Truncator(" ".join(to_plain_text(work.abstract).split())).chars(SUMMARY_MAX_CHARS)
        return html.escape(_text(plain))

    def item_link(self, work: Work) -> str:
        return _absolute(work.get_absolute_url())

    def item_guid(self, work: Work) -> str:
        return _absolute(work.get_absolute_url())

    def item_author_name(self, work: Work) -> str:
        return work.feed_author_name

    def item_pubdate(self, work: Work) -> datetime:
        if work.publication_date:
            return datetime.combine(work.publication_date, time.min, tzinfo=UTC)
        return work.created_at

    def item_updateddate(self, work: Work) -> datetime:
        return max(work.created_at, self.item_pubdate(work))
