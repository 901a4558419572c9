"""What users read of an estimate never shows an internal identifier (« seed-000 », « src-3 ») nor a file path.

Checked over every shipped grid version: every grid text and every source it cites, then the estimates of many
profiles as the CLI and the API give them (`to_contract`), as the chat and the staff console explain them
(`explain_markdown`) and as the web chat's card shows them (`estimate_card`). Sources drawn from the seed
documents are named plainly, as the guide names them, or cited with their public page.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from assistant.actions.estimate import estimate_card
from rules_bridge import Estimate, estimate, explain_markdown, list_grids, load_grid
from rules_bridge.grid import GRIDS_DIR
from rules_bridge.reference import SourceEntry, load_reference

GRIDS = [info.version for info in list_grids(GRIDS_DIR)]
INTERNAL_ID = re.compile(r"\b(?:seed|src)[-:_]?\d+\b", re.I)
FILE_PATH = re.compile(r"\b(?:shared|seeds|docs|rules_bridge|knowledge_base|var)/|/work/|\.(?:txt|md|ya?ml|py)\b", re.I)
URL = re.compile(r"https?://\S+")
# Hosts that are not the public site a user should open (the guide's rule, tests/knowledge_base/test_sources.py).
NOT_PUBLIC_HOST = re.compile(r"^https?://[^/]*(?:preprod|recette|staging|circulaires?\.)", re.I)
# Grid fields that are internal references by design (source keys, the file a grid was read from).
INTERNAL_FIELDS = {"source", "sources", "critere_sources", "statut_sources", "avertissement_sources", "fichier"}


def leaks(text: str) -> list[str]:
    """Internal identifiers and file paths in ``text`` (a URL is a public link: its path is not a file path)."""
    return INTERNAL_ID.findall(text) + FILE_PATH.findall(URL.sub(" ", text))


def grid_texts(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every text of a grid (labels, notes, explanations, warning…), with its path, except the source keys."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() if k not in INTERNAL_FIELDS for pair in grid_texts(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in grid_texts(v, f"{path}[{i}]")]
    return []


def profiles(version: str) -> list[dict[str, Any]]:
    """Profiles that reach every kind of line: each profession, structure × project, arrondissement, caps."""
    g = load_grid(version)
    team = [{"profession": "medecin_generaliste", "nombre": 2, "secteur": "1"}, {"profession": "infirmier"}]
    out: list[dict[str, Any]] = [
        {"professionnels": [{"profession": p, "nombre": 2}], "arrondissement": 19} for p in g.professions
    ]
    out += [
        {"professionnels": team, "arrondissement": 19, "structure": s, "projet": p, "qpv": True, "projet_sante": True}
        for s, p in itertools.product(g.structures, g.projets)
    ]
    out += [{"professionnels": [{"profession": "kiné", "nombre": 3}], "arrondissement": n} for n in range(1, 21)]
    out += [
        {
            "professionnels": [{"profession": "medecin_generaliste", "nombre": 40, "secteur": "1"}],
            "code_postal": "75018",
        },
        {"professionnels": team, "code_postal": "75020", "depenses_investissement_eur": 1000, "projet": "travaux"},
        {
            "professionnels": [
                {"profession": "medecin_generaliste", "nombre": 1, "secteur": s} for s in ("2", "optam", "3")
            ]
            + [{"profession": "ostéopathe", "nombre": 1}, {"profession": "psychologue", "nombre": 1}],
            "arrondissement": 10,
            "zone_ars": "zac",
            "primo_installation": False,
        },
        {"professionnels": [{"profession": "sage-femme", "nombre": 1}], "arrondissement": 19, "structure": "msp"},
    ]
    return out + [example.profil for example in g.exemples]


def user_facing(e: Estimate) -> dict[str, str]:
    """Everything a user can read of an estimate, by channel."""
    explanation = explain_markdown(e)
    return {
        "contrat (CLI, API)": json.dumps(e.to_contract(), ensure_ascii=False),
        "explication (chat, console)": explanation,
        "carte du chat": json.dumps(estimate_card(e, explanation, None).model_dump(), ensure_ascii=False),
    }


def test_the_detector_catches_what_the_tester_saw():
    seen = (
        "Fondement : hypothèse (s'appuie sur seed-000, src-3) ; Sources : [seed-000] La lutte contre les inégalités "
        "de santé — shared/seeds/000_58010d073e577968.txt ; voir docs/grille.md"
    )
    assert leaks(seen) == ["seed-000", "src-3", "seed-000", "shared/", "seeds/", ".txt", "docs/", ".md"]
    assert leaks("« Rapport d'activité 2023–2024 Paris Méd' », Ville de Paris — https://www.paris.fr/pages/a.md") == []


@pytest.mark.parametrize("version", GRIDS)
def test_every_text_of_every_shipped_grid_is_free_of_internal_references(version):
    texts = grid_texts(load_grid(version).model_dump(mode="json"))
    assert texts
    bad = {path: leaks(text) for path, text in texts if leaks(text)}
    assert not bad, bad


@pytest.mark.parametrize("version", GRIDS)
def test_every_source_of_every_shipped_grid_is_a_public_link_or_a_plainly_named_document(version):
    ref = load_reference()
    cited = set(load_grid(version).cited_sources())
    assert {"seed-000", "seed-001"} <= cited  # the seed documents are among them
    for key in sorted(cited):
        entry = ref.sources[key]
        assert entry.url is None or entry.url.startswith(("http://", "https://")), key
        assert not NOT_PUBLIC_HOST.match(entry.url or ""), (key, entry.url)
        assert entry.titre.strip(), key
        for text in (entry.citation(), entry.label()):
            assert not leaks(text), (key, text)
        assert entry.titre in entry.citation() and entry.titre in entry.label()
        if entry.url:
            assert entry.citation().endswith(entry.url)


@pytest.mark.parametrize("version", GRIDS)
def test_no_estimate_shows_an_internal_reference_in_any_channel(version):
    checked = 0
    for profile in profiles(version):
        e = estimate(profile, grid=version)
        for channel, text in user_facing(e).items():
            assert not leaks(text), (channel, profile, leaks(text))
        checked += 1
    assert checked > 60


def test_a_seed_backed_line_names_its_documents_plainly():
    """The tester's line (ARS zoning, sourced by seed-000 and src-3) in the three channels."""
    ref = load_reference()
    e = estimate({"professionnels": [{"profession": "chirurgien-dentiste", "nombre": 3}], "code_postal": "75019"})
    zoning = next(line for line in e.detail if line.regle.startswith("ponderations.zone_ars"))
    assert zoning.source_keys == ["seed-000", "src-3"]
    assert zoning.source == f"{ref.sources['seed-000'].label()} ; {ref.sources['src-3'].label()}"
    assert "La lutte contre les inégalités de santé" in zoning.source and "What's up doc" in zoning.source
    assert "source_keys" not in json.dumps(e.to_contract())  # the contract keeps its keys
    explanation = explain_markdown(e)
    sources = explanation.split("### Sources", 1)[1].split("> **Avertissement**")[0]
    assert f"- {ref.sources['seed-000'].citation()}" in sources
    assert "https://www.whatsupdoc-lemag.fr/article/paris-med-suite-0" in sources  # public page, with its URL
    card = estimate_card(e, explanation, None)
    assert any("La lutte contre les inégalités de santé" in line.fondement for line in card.detail)
    assert card.sources and all(not leaks(s) for s in card.sources)


def test_a_source_that_is_not_a_public_link_is_refused():
    with pytest.raises(ValueError, match="lien public"):
        SourceEntry(titre="Rapport", editeur="Ville de Paris", date="2025", url="shared/seeds/001.txt")
    with pytest.raises(ValueError):
        SourceEntry(titre="", editeur="Ville de Paris", date="2025")
