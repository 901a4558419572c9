"""Page content (channels/web/content/site.yaml) loaded and checked with pydantic."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, model_validator

CONTENT_FILE = Path(__file__).resolve().parent / "content" / "site.yaml"


class Item(BaseModel):
    text: str
    sources: list[str] = Field(default_factory=list)
    a_confirmer: bool = False


class Block(BaseModel):
    paragraph: str | None = None
    items: list[Item] | None = Field(default=None, alias="list")
    ordered: bool = False
    sources: list[str] = Field(default_factory=list)
    a_confirmer: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Block:
        if (self.paragraph is None) == (self.items is None):
            raise ValueError("a block is either a paragraph or a list")
        return self


class Section(BaseModel):
    id: str
    title: str
    blocks: list[Block]


class SourceRef(BaseModel):
    key: str
    title: str
    publisher: str
    date: str
    url: str = ""


class Site(BaseModel):
    title: str
    lead: str
    organisation: str
    service: str
    demo_notice: str


class Contact(BaseModel):
    email: str
    a_confirmer: bool = False
    note: str = ""
    sources: list[str] = Field(default_factory=list)


class Privacy(BaseModel):
    retention: str
    retention_a_confirmer: bool = True
    controller: str
    controller_a_confirmer: bool = True
    dpo: str
    dpo_address: str = ""


class ContactForm(BaseModel):
    professions: list[str]


class PageContent(BaseModel):
    site: Site
    contact: Contact
    privacy: Privacy
    sections: list[Section]
    sources: list[SourceRef]
    contact_form: ContactForm

    @model_validator(mode="after")
    def _sources_exist(self) -> PageContent:
        known = {s.key for s in self.sources}
        cited = set(self.contact.sources)
        for section in self.sections:
            for block in section.blocks:
                cited.update(block.sources)
                for item in block.items or []:
                    cited.update(item.sources)
        missing = sorted(cited - known)
        if missing:
            raise ValueError(f"sources cited but not listed: {missing}")
        return self

    def source_number(self, key: str) -> int:
        """1-based position of a source in the list shown at the bottom of the page."""
        return [s.key for s in self.sources].index(key) + 1


def load_content(path: Path = CONTENT_FILE) -> PageContent:
    with path.open(encoding="utf-8") as fh:
        return PageContent.model_validate(yaml.safe_load(fh))


@lru_cache
def get_content() -> PageContent:
    return load_content()
