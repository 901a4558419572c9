"""Typography of generated French text: acronyms (QPV, ZIP, MSP, ARS…) always stay upper-case."""

from __future__ import annotations

import itertools
import re

import pytest

from rules_bridge import estimate, explain_markdown, load_grid, orient
from rules_bridge._text import sentence_case
from rules_bridge.docs import DOC_PATH
from rules_bridge.reference import load_reference

G = load_grid()
SIGLES = load_reference().vocab.sigles
_URL = re.compile(r"https?://\S+|\S+\.(?:fr|com|org|net|txt)\b|`[^`]*`")


def lowercase_acronyms(text: str) -> list[str]:
    """Known acronyms written in lower case as a word (URLs and code spans apart)."""
    text = _URL.sub(" ", text)
    return [s for s in SIGLES if re.search(rf"(?<![\w.-]){re.escape(s.lower())}(?![\w-])", text)]


def texts(e) -> list[str]:
    return (
        [line.ligne for line in e.detail]
        + [line.note or "" for line in e.detail]
        + e.hypotheses
        + e.motifs
        + e.a_preciser
        + [p.raison for p in e.partenaires]
        + [p.nom for p in e.partenaires]
    )


def test_acronym_list_is_data():
    assert {"QPV", "ZIP", "ZAC", "MSP", "ARS"} <= set(SIGLES)
    assert all(s == s.upper() for s in SIGLES)


def test_detector_catches_the_reported_line():
    assert lowercase_acronyms("Local en qpv ou à moins de 500 m d'un qpv : non retenu") == ["QPV"]
    assert lowercase_acronyms("Local en QPV ou à moins de 500 m d'un QPV : non retenu") == []
    assert lowercase_acronyms("voir https://www.iledefrance.ars.sante.fr/zonage") == []


def test_sentence_case_keeps_acronyms():
    assert sentence_case("local en QPV ou à moins de 500 m d'un QPV") == "Local en QPV ou à moins de 500 m d'un QPV"
    assert sentence_case("maison de santé pluriprofessionnelle (MSP)") == "Maison de santé pluriprofessionnelle (MSP)"
    assert sentence_case("") == ""


def test_reported_qpv_line():
    e = estimate({"professionnels": [{"profession": "infirmier", "nombre": 2}], "arrondissement": 8, "qpv": False})
    qpv_lines = [line.ligne for line in e.detail if line.regle == "ponderations.qpv"]
    assert qpv_lines and all(line.startswith("Local en QPV") and "d'un QPV" in line for line in qpv_lines)


@pytest.mark.parametrize(("structure", "projet"), itertools.product(sorted(G.structures), sorted(G.projets)))
def test_no_lowercase_acronym_in_generated_text(structure, projet):
    team = [{"profession": "medecin_generaliste", "nombre": 2}, {"profession": "infirmier", "nombre": 1}]
    for arrondissement, qpv in ((19, None), (19, True), (8, False), (12, None)):
        profile = {"professionnels": team, "arrondissement": arrondissement, "structure": structure, "projet": projet}
        if qpv is not None:
            profile["qpv"] = qpv
        e = estimate(profile)
        bad = {t: lowercase_acronyms(t) for t in texts(e) if lowercase_acronyms(t)}
        assert not bad, bad
        assert not lowercase_acronyms(explain_markdown(e))


@pytest.mark.parametrize("n", range(1, 21))
def test_no_lowercase_acronym_per_arrondissement(n):
    e = estimate({"professionnels": [{"profession": "masseur_kinesitherapeute", "nombre": 3}], "arrondissement": n})
    assert not [t for t in texts(e) if lowercase_acronyms(t)]


def test_no_lowercase_acronym_in_orientation_and_docs():
    o = orient("Nous voulons créer une MSP dans le 19e en QPV, quelle zone ARS ?")
    assert not [p.raison for p in o.partenaires if lowercase_acronyms(p.raison)]
    assert not lowercase_acronyms(DOC_PATH.read_text(encoding="utf-8"))


def test_no_lowercase_acronym_in_extraction_notes():
    from rules_bridge import extract

    for text in ("Un cabinet à Paris Centre", "Je cherche un médecin traitant pour ma mère"):
        notes = extract(text).notes
        assert notes and not [n for n in notes if lowercase_acronyms(n)]


def test_professionals_left_out_agree_in_number():
    from rules_bridge import estimate

    two = {"professionnels": [{"profession": "medecin_generaliste", "nombre": 2, "secteur": "2"}], "arrondissement": 19}
    assert any(m.startswith("2 médecins généralistes, non retenus :") for m in estimate(two).motifs)
    one = {"professionnels": [{"profession": "medecin_generaliste", "nombre": 1, "secteur": "2"}], "arrondissement": 19}
    assert any(", non retenu :" in m for m in estimate(one).motifs)
