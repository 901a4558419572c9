"""Links shown to users as sources: a public web address, never an internal path or reference."""

from __future__ import annotations

NOT_PUBLIC = "une source est un lien public (http…) ou un document nommé dans « titre » sans lien"


def public_link(url: str) -> str:
    """``url`` when it is a public web address (http or https); ValueError with a French message otherwise (for
    pydantic validators: the guide's sources and the rules' sources)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(NOT_PUBLIC)
    return url
