"""The rules an article must meet, whoever writes it: the article page, the file loader and the Django admin.

Why one place: a refused article must be refused the same way from every door, with a message naming the field (the
page puts it next to that field, the loader names the article and the field). Pure: no database; the uniqueness of
(organisation, slug, language) is the writer's (``webcare.knowledge.articles``) and the database's.

The answer is Markdown. Raw HTML is refused rather than silently shown as text (the renderer never parses it), so an
editor pasting ``<b>`` learns at once to write ``**``; links may only use https, http, mailto and tel; images only from
the desk itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from webcare.knowledge.render import URL_SCHEMES, local_path
from webcare.tickets.actions import ActionError

#: The languages articles can be written in: the eight webcare triages (nynorsk and German beside the UI's six).
LANGUAGES: Final = ("nb", "nn", "da", "sv", "fi", "nl", "de", "en")
LANGUAGE_NAMES: Final = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "da": "Dansk", "sv": "Svenska", "fi": "Suomi",
                         "nl": "Nederlands", "de": "Deutsch", "en": "English"}
MAX_SLUG = 63
MAX_QUESTION = 300
MAX_ANSWER = 6000
MAX_SECTION = 80
MAX_KEYWORDS = 50
MAX_KEYWORD = 60

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: An HTML tag or comment as an editor would paste it (``<b>``, ``</p>``, ``<img src=…>``, ``<!-- -->``); "a < b" and
#: "<3" are not tags.
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")
#: Markdown link and image targets: ``[text](target "title")`` and ``<scheme:...>`` autolinks.
LINK_TARGET = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^\s)>]+)")
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class ArticleValues:
    """One article's fields, cleaned."""

    slug: str
    language: str
    question: str
    answer: str
    section: str = ""
    keywords: tuple[str, ...] = ()
    published: bool = True


def parse_keywords(raw: str | list[str] | tuple[str, ...]) -> list[str]:
    """Keywords from a comma-separated line (as people type them) or a list; blanks dropped, order and case kept."""
    items = raw.split(",") if isinstance(raw, str) else [str(item) for item in raw]
    return [item.strip() for item in items if item.strip()]


def check_answer(answer: str) -> None:
    """Raise ActionError("answer", …) for raw HTML, a link with another scheme, or an image from elsewhere."""
    tag = HTML_TAG.search(_without_code(answer))
    if tag:
        shown = tag.group(0)[:40]
        raise ActionError("answer", f"raw HTML ({shown}) is not allowed; write Markdown instead (**bold**, "
                                    "[text](https://…), - list item)")
    for bang, target in LINK_TARGET.findall(answer):
        _check_target(target, image=bool(bang))
    for target in AUTOLINK.findall(answer):
        _check_target(target, image=False)


def _without_code(text: str) -> str:
    """The text without code spans and fenced blocks, where ``<tag>`` is meant literally."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def _check_target(target: str, *, image: bool) -> None:
    scheme = SCHEME.match(target)
    if image:
        if not local_path(target):
            raise ActionError("answer", f"the image {target[:60]!r} is not on this desk; images must be a path "
                                        "starting with / (images from other sites are not shown)")
        return
    if scheme and scheme.group(1).lower() not in URL_SCHEMES:
        raise ActionError("answer", f"the link {target[:60]!r} is not allowed; links start with https://, "
                                    "http://, mailto: or tel: (or are a path on this desk)")


def clean_article(*, slug: str, language: str, question: str, answer: str, section: str = "",
                  keywords: str | list[str] | tuple[str, ...] = (), published: bool = True) -> ArticleValues:
    """The cleaned values, or ActionError for the first field at fault, in the order of the form."""
    slug = slug.strip()
    if not slug:
        raise ActionError("slug", "an article needs a slug (its name in links, e.g. lost-phone)")
    if not SLUG.match(slug):
        raise ActionError("slug", f"{slug[:70]!r} is not a slug: use lower-case letters a–z, digits and hyphens, "
                                  f"at most {MAX_SLUG}, starting with a letter or digit")
    language = language.strip()
    if language not in LANGUAGES:
        raise ActionError("language", f"unknown language {language[:20]!r}; use one of {', '.join(LANGUAGES)}")
    section = " ".join(section.split())
    if len(section) > MAX_SECTION:
        raise ActionError("section", f"a section name can have at most {MAX_SECTION} characters")
    question = " ".join(question.split())
    if not question:
        raise ActionError("question", "an article needs a question (the customer's words, e.g. “I lost my phone”)")
    if len(question) > MAX_QUESTION:
        raise ActionError("question", f"a question can have at most {MAX_QUESTION} characters")
    answer = answer.replace("\r\n", "\n").strip()
    if not answer:
        raise ActionError("answer", "an article needs an answer")
    if len(answer) > MAX_ANSWER:
        raise ActionError("answer", f"an answer can have at most {MAX_ANSWER} characters (it has {len(answer)})")
    check_answer(answer)
    words = parse_keywords(keywords)
    if len(words) > MAX_KEYWORDS:
        raise ActionError("keywords", f"at most {MAX_KEYWORDS} keywords")
    long = next((word for word in words if len(word) > MAX_KEYWORD), None)
    if long is not None:
        raise ActionError("keywords", f"a keyword can have at most {MAX_KEYWORD} characters ({long[:20]!r}…)")
    return ArticleValues(slug=slug, language=language, question=question, answer=answer, section=section,
                         keywords=tuple(dict.fromkeys(words)), published=bool(published))
