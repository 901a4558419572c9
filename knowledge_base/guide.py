"""Parses the guide (Markdown, one file per theme, one `##` section per question) into sections."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from frenchtext import public_link

from .errors import KnowledgeBaseError

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_SECTION = re.compile(r"^## +(.+?)\s*$", re.M)
_META = re.compile(r"\A\s*<!--(.*?)-->", re.S)


class SourceRef(BaseModel):
    """A source of a section: a public link, or a document named plainly (`url` empty) that a user can ask for."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    url: str = ""
    titre: str = ""
    date: str = ""

    @field_validator("url")
    @classmethod
    def _public_link_or_nothing(cls, url: str) -> str:
        return public_link(url) if url else url

    @model_validator(mode="after")
    def _named_when_not_linked(self) -> SourceRef:
        if not self.url and not self.titre.strip():
            raise ValueError("une source sans lien doit nommer le document dans « titre »")
        return self


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀÂÉÈÊÎÔÛÇ«*-])")
# A list item (« - … », « 1. … ») is quoted whole: cut at its sentence ends, « 1. **Impossibilité technique** »
# lost its number and the list its items.
LIST_ITEM = re.compile(r"^(?:[-*•]|\d+[.)])\s")
# A point after these abbreviations does not end a sentence (« code de commerce, art. L145-14 »).
_ABBREVIATION = re.compile(r"\b(?:art|arts|cf|al|env|ex|réf|vol|chap|p|pp)\.$", re.I)


class Section(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)  # YAML reads "2025" or 25000 as numbers

    id: str
    theme: str
    theme_title: str
    title: str
    file: str
    body: str
    sources: list[SourceRef] = Field(default_factory=list)
    verifie_le: str = ""
    a_confirmer: bool = False
    mots_cles: list[str] = Field(default_factory=list)

    @property
    def title_path(self) -> str:
        return f"{self.theme_title} › {self.title}"

    @property
    def url(self) -> str:
        """First public URL among the sources ("" when the section rests on documents without a link)."""
        return next((s.url for s in self.sources if s.url), "")

    @property
    def document(self) -> str:
        """The first source named without a link (e.g. « Rapport d'activité Paris Méd' 2023-2024, Ville de Paris »)."""
        return next((s.titre for s in self.sources if not s.url), "")

    def sentences(self) -> list[str]:
        """The body cut as answers quote it: line by line, a list item whole, other lines at sentence ends."""
        out: list[str] = []
        for line in (ln.strip() for ln in self.body.splitlines()):
            if LIST_ITEM.match(line):
                out.append(line)
                continue
            pieces: list[str] = []
            for piece in (p.strip() for p in _SENTENCE_END.split(line) if p.strip()):
                if pieces and _ABBREVIATION.search(pieces[-1]):
                    pieces[-1] += " " + piece
                else:
                    pieces.append(piece)
            out.extend(pieces)
        return out

    def passage(self) -> str:
        """The text that is indexed: title path, body and keywords."""
        keywords = " ".join(self.mots_cles)
        return f"{self.title_path}\n{self.body}\n{keywords}".strip()


def parse_file(path: Path) -> list[Section]:
    text = path.read_text(encoding="utf-8")
    front = _FRONT_MATTER.match(text)
    if not front:
        raise KnowledgeBaseError(f"{path.name} : en-tête YAML (--- theme/title ---) manquant.")
    header = yaml.safe_load(front.group(1)) or {}
    rest = text[front.end() :]
    heads = list(_SECTION.finditer(rest))
    sections = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(rest)
        chunk = rest[head.end() : end]
        meta_match = _META.match(chunk)
        meta = yaml.safe_load(meta_match.group(1)) if meta_match else None
        if not isinstance(meta, dict) or "id" not in meta:
            raise KnowledgeBaseError(f"{path.name} : la section « {head.group(1)} » n'a pas de métadonnées (id…).")
        assert meta_match is not None  # a section without metadata was refused just above
        body = chunk[meta_match.end() :].strip()
        try:
            sections.append(
                Section(
                    theme=header.get("theme", path.stem),
                    theme_title=header.get("title", path.stem),
                    title=head.group(1).strip(),
                    file=path.name,
                    body=body,
                    **meta,
                )
            )
        except ValidationError as exc:
            raise KnowledgeBaseError(f"{path.name} : métadonnées invalides pour « {head.group(1)} » : {exc}") from exc
    return sections


def guide_files(guide_dir: Path) -> list[Path]:
    return sorted(guide_dir.glob("*.md"))


def load_sections(guide_dir: Path) -> list[Section]:
    sections = [s for f in guide_files(guide_dir) for s in parse_file(f)]
    seen: set[str] = set()
    for s in sections:
        if s.id in seen:
            raise KnowledgeBaseError(f"Identifiant de section en double dans le guide : {s.id}")
        seen.add(s.id)
    return sections


def fingerprint(paths: list[Path], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for p in sorted(paths):
        digest.update(p.name.encode())
        digest.update(p.read_bytes())
    return digest.hexdigest()
