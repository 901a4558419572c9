"""Request page: the estimate stored on arrival next to the same profile recomputed with the active grid."""

from __future__ import annotations

import rules_bridge
from channels.staff import create_request
from channels.staff.storage import StaffRequest, session
from frenchtext import format_eur

PROFILE = {
    "professionnels": [{"profession": "kiné", "nombre": 3}, {"profession": "ostéopathe", "nombre": 1}],
    "arrondissement": 19,
}


def _other_grid() -> str:
    """A grid version that is not the active one (the request is stored as if computed under it)."""
    active = rules_bridge.estimate(PROFILE).version_grille
    others = [g.version for g in rules_bridge.list_grids() if g.version != active]
    assert others, "the tests need two grid versions"
    return others[0]


def _request_with_estimate(estimate: dict) -> int:
    rid = create_request("formulaire", "Nous sommes trois kinés dans le 19e, quelle aide ?", None, classify_now=False)
    with session() as db:
        db.get(StaffRequest, rid).estimate = estimate
        db.commit()
    return rid


def test_request_page_shows_stored_and_active_amounts(staff_client):
    old_version = _other_grid()
    stored = rules_bridge.estimate(PROFILE, grid=old_version).to_contract()
    stored["_profil"] = PROFILE
    active = rules_bridge.estimate(PROFILE).to_contract()
    assert stored["aide_plancher_eur"] != active["aide_plancher_eur"]
    rid = _request_with_estimate(stored)

    page = staff_client.get(f"/staff/demandes/{rid}")
    assert page.status_code == 200
    html = page.text
    assert "Montant calculé à l'arrivée de la demande" in html
    assert "Montant selon la grille active" in html
    arrival = html[html.index('id="montant-arrivee"') : html.index('id="montant-actif"')]
    current = html[html.index('id="montant-actif"') :].split("</dd>")[0]
    assert format_eur(stored["aide_plancher_eur"]) in arrival and f"grille {old_version}" in arrival
    assert format_eur(active["aide_plancher_eur"]) in current and f"grille {active['version_grille']}" in current
    assert "La grille a changé depuis l'arrivée de la demande" in html
    assert "Professions non retenues" in html and "ostéopathe" in html  # left out, with the reason
    assert active["non_retenus"][0]["raison"][:30].replace("'", "&#39;") in html


def test_same_grid_gives_no_change_note(staff_client):
    stored = rules_bridge.estimate(PROFILE).to_contract()
    stored["_profil"] = PROFILE
    html = staff_client.get(f"/staff/demandes/{_request_with_estimate(stored)}").text
    assert "Montant selon la grille active" in html
    assert "La grille a changé" not in html


def test_stored_profile_no_longer_valid_gives_a_french_message(staff_client):
    stored = rules_bridge.estimate(PROFILE, grid=_other_grid()).to_contract()
    stored["_profil"] = {"professionnels": [{"profession": "plombier", "nombre": 1}], "arrondissement": 19}
    page = staff_client.get(f"/staff/demandes/{_request_with_estimate(stored)}")
    assert page.status_code == 200
    assert "n&#39;est plus accepté par la grille active" in page.text
    assert "plombier" in page.text
    assert "Montant calculé à l'arrivée de la demande" in page.text  # the stored amount is still shown


def test_estimate_without_stored_profile(staff_client):
    stored = rules_bridge.estimate(PROFILE).to_contract()  # an old record: no "_profil"
    page = staff_client.get(f"/staff/demandes/{_request_with_estimate(stored)}")
    assert page.status_code == 200
    assert "Le profil de la demande n&#39;a pas été conservé" in page.text
