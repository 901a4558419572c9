"""Every source a user can see is a public link or a plainly named document, never an internal file path."""

import re

import pytest

from knowledge_base import KBConfig, Source
from knowledge_base.guide import SourceRef, load_sections

INTERNAL = re.compile(r"seed|shared/|/work/|\.txt\b|\.md\b|\\\\", re.I)
# Hosts that are not the public site a user should open: a pre-production copy, Légifrance's mirrors.
NOT_PUBLIC_HOST = re.compile(r"^https?://[^/]*(?:preprod|recette|staging|circulaires?\.)", re.I)
SECTIONS = load_sections(KBConfig.model_fields["guide_dir"].default)


@pytest.mark.parametrize("section", SECTIONS, ids=[s.id for s in SECTIONS])
def test_every_section_cites_something_a_user_can_open_or_ask_for(section):
    assert section.sources, "une section sans source"
    source = Source.of(section)
    assert source.url.startswith("http") or source.document, "ni lien public ni document nommé"
    for text in (source.document, source.title, source.section):
        assert not INTERNAL.search(text), text
    for ref in section.sources:
        assert ref.url.startswith("http") or (not ref.url and ref.titre.strip())
        assert not INTERNAL.search(ref.titre)
        assert not NOT_PUBLIC_HOST.match(ref.url), ref.url


def test_answers_never_show_an_internal_path(kb):
    for section in kb.index.sections[::5]:
        contract = kb.answer(section.title).to_contract()
        assert not re.search(r"seed:|shared/seeds|\.txt\b", str(contract))


@pytest.mark.parametrize("url", ["seed:001", "shared/seeds/000_58010d073e577968.txt", "/work/x"])
def test_an_internal_reference_is_refused_when_the_guide_is_parsed(url):
    with pytest.raises(ValueError, match="lien public"):
        SourceRef(url=url, titre="x")


def test_a_document_without_link_must_be_named():
    with pytest.raises(ValueError, match="nommer le document"):
        SourceRef(url="")
