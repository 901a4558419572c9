"""Generate ``docs/grille.md`` (the grid in plain French) from the YAML grid and reference data.

    python -m rules_bridge.docs           # (re)write docs/grille.md
    python -m rules_bridge.docs --check   # exit 1 if docs/grille.md is not up to date

A test compares the committed document with the generated one, so the public grid never drifts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frenchtext import format_eur
from rules_bridge.calibration import calibrate, load_published
from rules_bridge.engine import estimate
from rules_bridge.grid import GRIDS_DIR, Grid, list_grids, load_grid
from rules_bridge.reference import Reference, Sourced, load_reference

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "grille.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _yes(value: bool) -> str:
    return "oui" if value else "non"


class _Assumptions:
    """Numbers every assumption (H1, H2…) so that tables can refer to the full list at the end."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self._index: dict[str, str] = {}

    def ref(self, value: Sourced) -> str:
        parts = []
        if value.sources:
            parts.append("source : " + ", ".join(f"[{k}]" for k in value.sources))
        if value.hypothese:
            note = value.note or ""
            if note not in self._index:
                self._index[note] = f"H{len(self.items) + 1}"
                self.items.append((self._index[note], note))
            parts.append(f"hypothèse {self._index[note]}")
        elif value.note:
            parts.append(value.note)
        return " ; ".join(parts)


def _sources(keys: list[str]) -> str:
    return ", ".join(f"[{k}]" for k in keys) if keys else "(non sourcé)"


def render(grid: Grid | None = None, ref: Reference | None = None) -> str:
    grids = list_grids(GRIDS_DIR)  # the packaged versions only (not the ones loaded by staff on one machine)
    g = grid or load_grid(grids[0].version, GRIDS_DIR)
    r = ref or load_reference()
    h = _Assumptions()
    c = g.conditions
    out: list[str] = [
        f"# {g.titre}",
        "",
        f"> Document généré par `python -m rules_bridge.docs` à partir de `rules_bridge/grids/{g.version}.yaml` "
        "et de `rules_bridge/data/` : ne pas le modifier à la main.",
        "",
        f"- Version de la grille : **{g.version}** (dispositif en vigueur depuis le {g.date_effet:%d/%m/%Y} ; "
        f"rédaction du {g.date_redaction:%d/%m/%Y}).",
        "- Versions disponibles : " + ", ".join(f"{i.version} ({i.date_effet:%d/%m/%Y})" for i in grids) + ".",
        f"- Statut : {g.statut} {_sources(g.statut_sources)}",
        "",
        f"**Avertissement** : {g.avertissement}",
        "",
        "Chaque valeur indique son fondement : une source (voir la liste à la fin) ou une hypothèse numérotée "
        "(H1, H2…), reprise avec sa justification dans la section « Hypothèses à confirmer ».",
        "",
        "## 1. Conditions d'éligibilité",
        "",
        "| Condition | Valeur | Fondement |",
        "|---|---|---|",
    ]
    conditions: list[tuple[str, str, Sourced]] = [
        ("Tout Paris est éligible", _yes(c.territoire_tout_paris.valeur), c.territoire_tout_paris),
        ("Nombre minimal de professionnels en exercice groupé", str(c.min_professionnels.valeur), c.min_professionnels),
        (
            "Équipes uniquement paramédicales admises",
            _yes(c.paramedicaux_seuls_admis.valeur),
            c.paramedicaux_seuls_admis,
        ),
        ("Médecin généraliste exigé", _yes(c.medecin_generaliste_exige.valeur), c.medecin_generaliste_exige),
        ("Primo-installation exigée", _yes(c.primo_installation_exigee.valeur), c.primo_installation_exigee),
        (
            "Secteurs des médecins comptés",
            ", ".join(f"secteur {s}" for s in c.secteurs_medecins_retenus.valeur),
            c.secteurs_medecins_retenus,
        ),
        (
            "Médecins à étudier au cas par cas (non comptés)",
            ", ".join(s.upper() for s in c.secteurs_medecins_a_confirmer.valeur),
            c.secteurs_medecins_a_confirmer,
        ),
        (
            "Autres professions : conventionnement exigé (sauf professions sans convention)",
            _yes(c.autres_professions_conventionnees.valeur),
            c.autres_professions_conventionnees,
        ),
    ]
    out += [f"| {_cell(a)} | {_cell(b)} | {_cell(h.ref(v))} |" for a, b, v in conditions]

    out += [
        "",
        "## 2. Montant de base par professionnel",
        "",
        "| Profession | Base | Comptée dans l'aide | Conventionnement exigé | Fondement |",
        "|---|---:|---|---|---|",
    ]
    for prof in g.professions.values():
        counted = _yes(prof.est_retenue) + (f" ({h.ref(prof.retenu)})" if prof.retenu else "")
        convention = "secteur 1" if prof.famille == "medecin" else _yes(prof.conventionnement_requis)
        out.append(
            f"| {_cell(prof.libelle)} | {format_eur(prof.base_eur.valeur)} | {_cell(counted)} | "
            f"{convention} | {_cell(h.ref(prof.base_eur))} |"
        )

    w = g.ponderations
    out += [
        "",
        "## 3. Pondérations (pourcentages de la base, additionnés)",
        "",
        "| Critère | Cas | Majoration | Critère sourcé | Valeur : fondement |",
        "|---|---|---:|---|---|",
    ]
    for zone, value in w.zone_ars.valeurs.items():
        out.append(
            f"| {_cell(w.zone_ars.libelle)} | {_cell(r.zonage.libelles[zone])} | +{value.valeur} % | "
            f"{_sources(w.zone_ars.critere_sources)} | {_cell(h.ref(value))} |"
        )
    for weighting in (w.qpv, w.projet_sante, w.pluriprofessionnel):
        out.append(
            f"| {_cell(weighting.libelle)} | oui | +{weighting.majoration_pct.valeur} % | "
            f"{_sources(weighting.critere_sources)} | {_cell(h.ref(weighting.majoration_pct))} |"
        )
    for st in g.structures.values():
        if st.majoration_pct.valeur:
            out.append(
                f"| type de structure | {_cell(st.libelle)} | +{st.majoration_pct.valeur} % | "
                f"{_sources(w.type_structure.critere_sources)} | {_cell(h.ref(st.majoration_pct))} |"
            )

    out += [
        "",
        "## 4. Types de structure",
        "",
        "| Structure | Aide en investissement | Fondement | Majoration | Plafond par structure | Fondement du plafond |",
        "|---|---|---|---|---:|---|",
    ]
    for st in g.structures.values():
        out.append(
            f"| {_cell(st.libelle)} | {_yes(st.aide_investissement.valeur)} | {_cell(h.ref(st.aide_investissement))} | "
            f"+{st.majoration_pct.valeur} % ({_cell(h.ref(st.majoration_pct))}) | {format_eur(st.plafond_eur.valeur)} | "
            f"{_cell(h.ref(st.plafond_eur))} |"
        )

    out += [
        "",
        "## 5. Types de projet",
        "",
        "Un projet peut combiner plusieurs types (« installation + travaux + équipement ») : le champ `projet` "
        "accepte une valeur ou une liste.",
        "",
        "| Projet | Aide en investissement | Composantes financées | Fondement | Précision |",
        "|---|---|---|---|---|",
    ]
    for pr in g.projets.values():
        detail = pr.consigne or pr.explication
        extra = f"{detail.valeur} ({h.ref(detail)})" if detail else ""
        parts = ", ".join(g.composantes[c].libelle for c in pr.composantes_couvertes(g)) or "—"
        out.append(
            f"| {_cell(pr.libelle)} | {_yes(pr.aide_investissement.valeur)} | {_cell(parts)} | "
            f"{_cell(h.ref(pr.aide_investissement))} | {_cell(extra)} |"
        )
    if g.composantes:
        out += [
            "",
            "Composantes de l'aide en investissement : un projet qui n'en couvre qu'une reçoit sa part de l'aide ; "
            "chaque ligne du détail indique la ou les composantes qu'elle finance.",
            "",
        ]
        out += [
            f"- {_cell(comp.libelle)} : {comp.part_pct.valeur} % de l'aide ({_cell(h.ref(comp.part_pct))})."
            for comp in g.composantes.values()
        ]

    cap = g.plafonds
    dep = g.investissement.depenses_eligibles
    out += [
        "",
        "## 6. Plafonds et dépenses éligibles",
        "",
        f"- Plafond par professionnel : {format_eur(cap.par_professionnel_eur.valeur)} ({h.ref(cap.par_professionnel_eur)}).",
        "- Plafond par structure : voir la section 4.",
        f"- L'aide ne dépasse pas {cap.depenses_pct.valeur} % des dépenses d'investissement déclarées ({h.ref(cap.depenses_pct)}).",
        f"- Dépenses éligibles : {', '.join(dep.valeur)} ({h.ref(dep)}).",
    ]

    d = g.defauts
    out += [
        "",
        "## 7. Valeurs retenues quand une information manque",
        "",
        "Chaque valeur par défaut appliquée est signalée dans les hypothèses de l'estimation.",
        "",
        f"- Structure : « {g.structures[d.structure_plusieurs].libelle} » à partir de {c.min_professionnels.valeur} professionnels "
        f"(ou pour un agrandissement), « {g.structures[d.structure_seul].libelle} » sinon.",
        f"- Projet : « {g.projets[d.projet].libelle} ».",
        f"- Secteur d'un médecin : secteur {d.secteur_medecin}"
        + (" ; autres professions : conventionnées." if c.autres_professions_conventionnees.valeur else "."),
        "- Zonage ARS : celui de l'arrondissement ; s'il est mixte, la valeur la plus prudente (la moins majorée), "
        "avec une demande d'adresse.",
        f"- Local en QPV : {_yes(d.qpv)} (majoration non retenue sans adresse).",
        f"- Projet de santé formalisé : {_yes(d.projet_sante)}.",
    ]

    out += [
        "",
        "## 8. Comment le montant est calculé",
        "",
        "1. Les professionnels comptés sont ceux qui remplissent les conditions (secteur 1 pour les médecins"
        + (
            ", conventionnement pour les autres professions qui en ont un"
            if c.autres_professions_conventionnees.valeur
            else ""
        )
        + ") ; les autres sont listés « non retenus » avec la raison (par exemple un médecin non conventionné, "
        "secteur 3, ou une profession hors du dispositif comme l'ostéopathie).",
        "2. La base est la somme des montants de base de ces professionnels.",
        "3. Chaque majoration applicable (zonage, QPV, type de structure, projet de santé, équipe "
        "pluriprofessionnelle) ajoute un pourcentage de la base ; chacune est une ligne du détail.",
        "4. Les plafonds s'appliquent ensuite, dans l'ordre : par professionnel, par structure, puis "
        "montant des dépenses déclarées ; chaque écrêtement est une ligne négative du détail.",
        "5. Si le projet ne couvre pas toutes les composantes (travaux, équipement), la part des composantes "
        "absentes est retirée (ligne négative).",
        "6. L'aide plancher est la somme des lignes du détail (arrondie à l'euro inférieur ligne par ligne) : "
        "« au moins X € (estimation indicative) », jamais une promesse.",
        "",
        "Un projet non éligible ou une simple recherche de local donne 0 € avec les motifs expliqués.",
    ]

    out += _calibration_section(g)

    out += ["", "## 10. Exemples calculés", ""]
    for ex in g.exemples:
        e = estimate(ex.profil, grid=g)
        out += [
            f"### {ex.titre}",
            "",
            f"Éligible : {_yes(e.eligible)} — aide plancher estimée : **{format_eur(e.aide_plancher_eur)}**",
            "",
            "| Ligne | Montant |",
            "|---|---:|",
        ]
        out += [f"| {_cell(line.ligne)} | {format_eur(line.montant_eur)} |" for line in e.detail]
        out.append("")

    out += ["## 11. Zonage ARS, QPV et CPTS par arrondissement", ""]
    out += [f"- {item.libelle} {_sources(item.sources)}" for item in r.zonage.contexte]
    out += [f"- {item.libelle} {_sources(item.sources)}" for item in r.cpts_contexte]
    out += [
        "",
        "Un zonage « mixte » (plusieurs valeurs) signifie que l'adresse précise est nécessaire : l'estimation "
        "retient alors la valeur la plus prudente et le signale.",
        "",
        "| Arrondissement | Codes postaux | Zonage ARS retenu | Fondement | QPV | Fondement | CPTS vérifiée |",
        "|---|---|---|---|---|---|---|",
    ]
    qpv_labels = {"oui": "oui", "non": "non", "a_confirmer": "à confirmer"}
    for arr in r.arrondissements.values():
        zone_txt = r.zonage.libelle(arr.zone_ars.valeurs)
        if arr.cpts:
            cpts = arr.cpts.nom + (f" ({arr.cpts.url})" if arr.cpts.url else "") + f" {_sources(arr.cpts.sources)}"
        else:
            cpts = "à confirmer (annuaires ARS Île-de-France et FémasIF)"
        name = arr.libelle + (f" ({arr.secteur})" if arr.secteur else "")
        out.append(
            f"| {_cell(name)} | {', '.join(arr.codes_postaux)} | {_cell(zone_txt)} | {_cell(h.ref(arr.zone_ars))} | "
            f"{qpv_labels[arr.qpv.valeur]} | {_cell(h.ref(arr.qpv))} | {_cell(cpts)} |"
        )

    out += [
        "",
        "## 12. Partenaires",
        "",
        "Une adresse marquée « à vérifier » n'a pas été confirmée sur une source consultée.",
        "",
        "| Partenaire | Ce qu'il fait | Pour qui | Comment le joindre | Sources |",
        "|---|---|---|---|---|",
    ]
    for p in r.partners.values():
        reach = p.url or ""
        if p.url and not p.url_verifiee:
            reach += " (à vérifier)"
        if p.contact:
            reach += f" ; {p.contact}" if reach else p.contact
        out.append(
            f"| {_cell(p.nom)} | {_cell(p.role)} | {_cell(p.pour_qui)} | {_cell(reach)} | {_sources(p.sources)} |"
        )
    urps = r.templates["urps_profession"]
    out += [
        "",
        f"URPS des autres professions ({', '.join(g.professions[x].libelle_pluriel for x in urps.professions)}) : "
        f"{urps.contact}. CPTS sans fiche vérifiée : annuaires de l'ARS Île-de-France et de la FémasIF.",
        "",
    ]

    out += ["## 13. Repères publics (non utilisés directement dans le calcul)", ""]
    out += [f"- {item.libelle} {_sources(item.sources)}" for item in g.reperes]

    out += ["", "## 14. Hypothèses à confirmer par la Ville", ""]
    out += [f"- **{hid}** — {note}" for hid, note in h.items]

    cited: list[str] = []
    for key in [*g.cited_sources(), *_reference_sources(r)]:
        if key not in cited:
            cited.append(key)
    out += [
        "",
        "## 15. Sources",
        "",
        "Pages web lues sur des copies stockées (« vue en » = année de lecture) ; revérifier avant publication.",
        "",
    ]
    out += [f"- [{k}] {r.sources[k].citation()}" for k in sorted(cited, key=_source_order)]
    out.append("")
    return "\n".join(out)


def _calibration_section(g: Grid) -> list[str]:
    """The grid's results beside the published 2023–2024 figures (``rules_bridge.calibration``)."""
    pub = load_published()
    report = calibrate(g, pub)
    out = [
        "",
        "## 9. Calage sur les résultats publiés 2023–2024",
        "",
        f"Le rapport d'activité {_sources([pub.source])} publie, pour la période {pub.periode}, "
        f"{pub.structures} subventions pour {format_eur(pub.total_annonce_eur)} et {pub.professionnels} "
        f"professionnels aidés, soit {format_eur(pub.mean_per_professional)} par professionnel en moyenne, et la "
        "subvention de chaque structure. L'aide plancher est un minimum : la grille est vérifiée "
        "(`python -m rules_bridge.calibration`, test automatique) sur des profils représentatifs des structures "
        "financées (composition des équipes supposée, non publiée) :",
        "",
        "- l'aide plancher moyenne par professionnel reste au plus égale à la moyenne publiée ;",
        "- par catégorie, le total des aides plancher ne dépasse pas le total voté ;",
        "- aucun profil représentatif ne dépasse la subvention médiane des structures comparables ;",
        "- aucune équipe (de 2 à 40 professionnels, zone, QPV et projet de santé les plus favorables) ne dépasse la "
        "plus forte subvention votée dans sa catégorie.",
        "",
        f"Résultat pour la grille {report.version_grille} : "
        + ("toutes les vérifications passent." if report.ok else "ÉCHEC : " + " ; ".join(report.problemes)),
        "",
        "| | Publié 2023–2024 | Grille (profils représentatifs) |",
        "|---|---:|---:|",
        f"| Structures | {pub.structures} | {report.structures} |",
        f"| Professionnels | {pub.professionnels} | {report.professionnels} |",
        f"| Total | {format_eur(pub.total_annonce_eur)} | {format_eur(report.total_grille_eur)} |",
        f"| Moyenne par professionnel | {format_eur(pub.mean_per_professional)} | "
        f"{format_eur(report.moyenne_grille_par_professionnel_eur)} |",
    ]
    for cat in report.categories:
        out.append(
            f"| {_cell(cat.libelle)} : total ({cat.structures} structures) | {format_eur(cat.total_publie_eur)} | "
            f"{format_eur(cat.total_grille_eur)} |"
        )
        out.append(
            f"| {_cell(cat.libelle)} : plus forte subvention / plus forte aide plancher possible | "
            f"{format_eur(cat.max_publie_eur)} | {format_eur(cat.max_balayage_eur)} |"
        )
    out += [
        "",
        "| Profil représentatif | Nombre | Professionnels | Aide plancher | Subvention médiane publiée de la catégorie |",
        "|---|---:|---:|---:|---:|",
    ]
    out += [
        f"| {_cell(p.titre)} | {p.nombre} | {p.professionnels} | {format_eur(p.aide_plancher_eur)} | "
        f"{format_eur(p.mediane_categorie_eur)} |"
        for p in report.profils
    ]
    out += [
        "",
        "Montants ajustés pour y parvenir (grille paris-med-2023-v2 ; la grille paris-med-2023 reste chargeable) : "
        "bases divisées par deux environ, zonage ZIP +40 % au lieu de +100 %, QPV +15 % au lieu de +25 %, "
        "plus de majoration propre aux MSP (leurs subventions publiées sont petites), plafond MSP de 105 000 € "
        "(plus forte subvention MSP votée) au lieu de l'enveloppe de 130 000 € de l'ancien dispositif.",
    ]
    return out


def _reference_sources(r: Reference) -> list[str]:
    keys: list[str] = []
    for arr in r.arrondissements.values():
        keys += arr.zone_ars.sources + arr.qpv.sources + (arr.cpts.sources if arr.cpts else [])
    for item in [*r.zonage.contexte, *r.cpts_contexte]:
        keys += item.sources
    for p in r.partners.values():
        keys += p.sources
    for t in r.templates.values():
        keys += t.sources
    return keys


def _source_order(key: str) -> tuple[int, int]:
    kind, _, number = key.partition("-")
    return (0 if kind == "seed" else 1, int(number) if number.isdigit() else 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère docs/grille.md à partir de la grille YAML.")
    parser.add_argument("--check", action="store_true", help="vérifie que docs/grille.md est à jour (code 1 sinon)")
    parser.add_argument("--output", type=Path, default=DOC_PATH)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} n'est pas à jour : lancez « python -m rules_bridge.docs ».", file=sys.stderr)
            return 1
        print(f"{args.output} est à jour.")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output} écrit.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
