"""Find the attributes of an HTML page that would make a browser fetch from the network."""

from __future__ import annotations

from html.parser import HTMLParser

FETCHING = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
}


class _Fetches(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if (tag, name) in FETCHING and (value or "").strip().lower().startswith(
                ("http://", "https://", "//")
            ):
                self.found.append(f"<{tag} {name}={value}>")


def network_fetches(html: str) -> list[str]:
    parser = _Fetches()
    parser.feed(html)
    return parser.found
