"""Reading rendered pages in tests: the text and attributes of elements, without a browser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text inside, with runs of white space made one space."""
        return re.sub(r"\s+", " ", "".join(self.parts)).strip()


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.parts.append(data)


class Page:
    """A parsed HTML page: `page.one("h1").text`, `page.all("a.ds-link")`; selectors are tag, .class or #id."""

    def __init__(self, html: str) -> None:
        collector = _Collector()
        collector.feed(html)
        self.elements = collector.elements

    def all(self, selector: str) -> list[Element]:
        tag, _, rest = selector.partition(".") if "." in selector else selector.partition("#")
        wanted_class = rest if "." in selector else ""
        wanted_id = rest if "#" in selector else ""
        return [
            element
            for element in self.elements
            if (not tag or element.tag == tag)
            and (not wanted_class or wanted_class in element.attrs.get("class", "").split())
            and (not wanted_id or element.attrs.get("id") == wanted_id)
        ]

    def one(self, selector: str) -> Element:
        found = self.all(selector)
        assert len(found) == 1, f"{len(found)} elements match {selector!r}"
        return found[0]

    def texts(self, selector: str) -> list[str]:
        return [element.text for element in self.all(selector)]
