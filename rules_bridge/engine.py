"""The estimate of the floor aid (« aide plancher »): pure and deterministic, explained line by line.

Everything legal or numeric comes from the grid and the reference data; this module only applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel, Field

from frenchtext import format_eur
from rules_bridge._text import sentence_case
from rules_bridge.grid import Grid, Valeur, load_grid
from rules_bridge.partners import Partner, rank_partners
from rules_bridge.profile import Professionnel, Profile, coerce_profile
from rules_bridge.reference import Arrondissement, Sourced, Zone, load_reference


class DetailLine(BaseModel):
    """One line of the computation. ``montant_eur`` is negative for a cap; lines sum to the total.

    ``source`` is what users read (the documents named plainly, see ``SourceEntry.label``); ``source_keys`` are
    their keys in ``data/sources.yaml``, for the explanation's list of sources, never shown nor serialised.
    """

    ligne: str
    montant_eur: int
    regle: str
    source: str | None = None
    source_keys: list[str] = Field(default_factory=list, exclude=True)
    hypothese: bool = False
    note: str | None = None
    composantes: list[str] = []
    """Project components this line finances (``travaux``, ``equipement``) or, for a negative line, removes."""

    @property
    def fondement(self) -> str:
        """What the line rests on, in French (the explanation's « Fondement » column, the card's detail)."""
        if self.hypothese and self.source:
            return f"hypothèse (s'appuie sur {self.source})"
        if self.hypothese:
            return "hypothèse à confirmer"
        return self.source or "—"


class NonRetenu(BaseModel):
    """Professionals of the team left out of the floor aid, with the reason (French)."""

    profession: str
    libelle: str
    nombre: int
    raison: str


class Estimate(BaseModel):
    eligible: bool
    aide_investissement: bool
    motifs: list[str]
    aide_plancher_eur: int
    detail: list[DetailLine]
    version_grille: str
    hypotheses: list[str]
    a_preciser: list[str]
    partenaires: list[Partner]
    avertissement: str
    profil: Profile
    non_retenus: list[NonRetenu] = []
    composantes: list[str] = []

    def to_contract(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "motifs": list(self.motifs),
            "aide_plancher_eur": self.aide_plancher_eur,
            "detail": [line.model_dump() for line in self.detail],
            "partenaires": [p.to_contract() for p in self.partenaires],
            "version_grille": self.version_grille,
            "hypotheses": list(self.hypotheses),
            "non_retenus": [n.model_dump() for n in self.non_retenus],
            "composantes": list(self.composantes),
        }


def _line(
    label: str, amount: int, rule: str, value: Sourced | None = None, components: list[str] | None = None
) -> DetailLine:
    if value is None:
        return DetailLine(ligne=label, montant_eur=amount, regle=rule, composantes=components or [])
    return DetailLine(
        ligne=label,
        montant_eur=amount,
        regle=rule,
        source=load_reference().source_labels(value.sources),
        source_keys=value.sources,
        hypothese=value.hypothese,
        note=value.note,
        composantes=components or [],
    )


def _count_label(grid: Grid, profession: str, count: int) -> str:
    rule = grid.professions.get(profession)
    if rule is None:
        return f"{count} {load_reference().vocab.label(profession, count)}"
    return f"{count} {rule.label(count)}"


@dataclass
class _Team:
    retained: list[tuple[str, int]]  # (profession, count) counted in the aid
    motifs: list[str]
    hypotheses: list[str]
    left_out: list[NonRetenu]

    @property
    def count(self) -> int:
        return sum(n for _, n in self.retained)


def _merge(professionnels: list[Professionnel]) -> list[Professionnel]:
    """Merge lines with the same profession and sector (keeps the first-seen order)."""
    merged: dict[tuple[str, str | None], int] = {}
    for p in professionnels:
        merged[(p.profession, p.secteur)] = merged.get((p.profession, p.secteur), 0) + p.nombre
    return [Professionnel.model_construct(profession=k[0], secteur=k[1], nombre=n) for k, n in merged.items()]


def _team(grid: Grid, profile: Profile) -> _Team:
    cond = grid.conditions
    sectors = " ou ".join(f"secteur {x}" for x in cond.secteurs_medecins_retenus.valeur)
    retained: dict[str, int] = {}
    motifs: list[str] = []
    hypotheses: list[str] = []
    assumed_sector: list[str] = []
    assumed_convention: list[str] = []
    left_out: list[NonRetenu] = []

    def leave_out(p: Professionnel, reason: str) -> None:
        who = _count_label(grid, p.profession, p.nombre)
        motifs.append(f"{who}, {'non retenu' if p.nombre == 1 else 'non retenus'} : {reason}")
        label = who.split(" ", 1)[1]
        left_out.append(NonRetenu(profession=p.profession, libelle=label, nombre=p.nombre, raison=reason))

    for p in _merge(profile.professionnels):
        found = grid.professions.get(p.profession)
        if found is None:
            leave_out(p, f"profession absente de la grille {grid.version}, donc pas comptée dans l'aide plancher.")
            continue
        rule = found
        if not rule.est_retenue:
            note = rule.retenu.note if rule.retenu else ""
            leave_out(p, f"profession sans prise en compte dans l'aide plancher. {note}".strip())
            continue
        if rule.famille == "medecin":
            sector = p.secteur
            if sector is None:
                sector = grid.defauts.secteur_medecin
                assumed_sector.append(rule.libelle_pluriel)
            if sector in cond.secteurs_medecins_retenus.valeur:
                retained[p.profession] = retained.get(p.profession, 0) + p.nombre
            elif sector in cond.secteurs_medecins_a_confirmer.valeur:
                leave_out(
                    p,
                    "en secteur 2 adhérant à l'OPTAM, pas de prise en compte dans l'aide plancher, "
                    f"le dispositif visant le {sectors} ; situation à étudier avec l'équipe Paris Méd'.",
                )
                hypotheses.append(cond.secteurs_medecins_a_confirmer.note or "")
            else:
                label = "non conventionné (secteur 3)" if sector == "non_conventionne" else f"en secteur {sector}"
                leave_out(
                    p, f"médecin {label}, pas de prise en compte, le dispositif visant les médecins du {sectors}."
                )
            continue
        if rule.conventionnement_requis and cond.autres_professions_conventionnees.valeur:
            if p.secteur == "non_conventionne":
                leave_out(
                    p,
                    "exercice sans conventionnement, pas de prise en compte, cette grille visant les "
                    "professionnels conventionnés.",
                )
                continue
            if p.secteur is None:
                assumed_convention.append(rule.libelle_pluriel)
        retained[p.profession] = retained.get(p.profession, 0) + p.nombre
    if assumed_sector:
        hypotheses.append(
            f"Secteur non précisé ({', '.join(assumed_sector)}) : nous retenons le secteur "
            f"{grid.defauts.secteur_medecin}, condition du dispositif."
        )
    if assumed_convention:
        hypotheses.append(
            f"Conventionnement non précisé ({', '.join(assumed_convention)}) : nous supposons un exercice "
            "conventionné avec l'Assurance maladie."
        )
    return _Team(list(retained.items()), motifs, hypotheses, left_out)


def _zone(profile: Profile, arr: Arrondissement, hypotheses: list[str], to_ask: list[str]) -> str:
    ref = load_reference()
    labels = ref.zonage.libelles
    if profile.zone_ars:
        declared = cast(Zone, profile.zone_ars)  # validated against the vocabulary's zones
        hypotheses.append(
            f"Zone ARS déclarée : {labels[declared]} ; à vérifier sur la carte du zonage de l'ARS Île-de-France."
        )
        return profile.zone_ars
    info = arr.zone_ars
    if info.mixte:
        possible = " ou ".join(labels[z] for z in info.valeurs)
        chosen = info.prudente
        hypotheses.append(
            f"Le {arr.court} compte plusieurs zones ARS possibles : {possible}. Faute d'adresse, nous retenons "
            f"la plus prudente, {labels[chosen]}. Précisez l'adresse ou le quartier du local pour affiner l'estimation."
        )
        to_ask.append("l'adresse ou le quartier du local, pour connaître sa zone ARS")
        return chosen
    chosen = info.valeurs[0]
    hypotheses.append(f"Zonage ARS du {arr.court} : {labels[chosen]}. {info.note or ''}".strip())
    return chosen


def _qpv(
    profile: Profile, arr: Arrondissement, hypotheses: list[str], to_ask: list[str], default: bool, label: str
) -> bool:
    if profile.qpv is not None:
        if profile.qpv and arr.qpv.valeur == "non":
            hypotheses.append(f"Déclaré : {label} ; or aucun QPV n'est connu dans le {arr.court} : à vérifier.")
        return profile.qpv
    if arr.qpv.valeur == "non":
        hypotheses.append(
            f"Local supposé hors QPV : aucun quartier prioritaire connu dans le {arr.court} (à vérifier)."
        )
    else:
        present = (
            "compte des quartiers prioritaires"
            if arr.qpv.valeur == "oui"
            else "compte peut-être des quartiers prioritaires"
        )
        hypotheses.append(
            f"Le {arr.court} {present} (QPV) : faute d'adresse, la majoration QPV n'est pas retenue. "
            f"Précisez si votre projet remplit ce critère : {label}."
        )
        to_ask.append(f"si le projet remplit ce critère : {label}")
    return default


def _pct_line(base: int, pct: Valeur[int], label: str, rule: str) -> DetailLine:
    return _line(f"{label} : +{pct.valeur} % de la base", base * pct.valeur // 100, rule, pct)


def estimate(profile: Profile | dict[str, Any], grid: str | Grid | None = None) -> Estimate:
    """Eligibility, explained floor-aid estimate and partners for a project profile.

    ``profile`` is a Profile or a dict (validated; ProfileError on a bad field). ``grid`` is a grid version
    (default: setting ``grid_version``, then the newest grid) or a Grid object (simulations, tests).
    """
    p = coerce_profile(profile)
    g = grid if isinstance(grid, Grid) else load_grid(grid)
    ref = load_reference()
    cond = g.conditions
    arr = ref.arrondissement(p.arrondissement_num)
    hypotheses: list[str] = []
    motifs: list[str] = []
    to_ask: list[str] = []

    # --- Defaults -----------------------------------------------------------------------------
    project_ids = p.projet or [g.defauts.projet]
    if p.projet is None:
        hypotheses.append(f"Projet non précisé : nous retenons « {g.projets[project_ids[0]].libelle} ».")
    # Projects with an investment aid (the others, e.g. looking for premises, are accompaniment only).
    funded = [pid for pid in project_ids if g.projets[pid].aide_investissement.valeur]
    project_id = funded[0] if funded else project_ids[0]
    growing = "agrandissement" in project_ids
    structure_id = p.structure
    if structure_id is None:
        several = p.nombre_total >= cond.min_professionnels.valeur or growing
        structure_id = g.defauts.structure_plusieurs if several else g.defauts.structure_seul
        reason = (
            f"{p.nombre_total} professionnels"
            if p.nombre_total >= cond.min_professionnels.valeur
            else ("agrandissement d'une structure existante" if several else "un seul professionnel")
        )
        hypotheses.append(
            f"Structure non précisée ({reason}) : nous retenons « {g.structures[structure_id].libelle} »."
        )
    project = g.projets[project_id]
    structure = g.structures[structure_id]

    team = _team(g, p)
    hypotheses.extend(team.hypotheses)

    # --- Eligibility --------------------------------------------------------------------------
    if cond.territoire_tout_paris.valeur:
        motifs.append(f"Projet situé dans le {arr.libelle}. {cond.territoire_tout_paris.note or ''}".strip())
    if p.primo_installation is False and not cond.primo_installation_exigee.valeur:
        motifs.append(cond.primo_installation_exigee.note or "La primo-installation n'est pas exigée.")

    labels = {k: v.libelle_pluriel for k, v in g.professions.items()}
    left_out = {n.profession for n in team.left_out}
    professions = [x.profession for x in p.professionnels if x.profession not in left_out]
    needs = [
        *(n for pid in project_ids for n in ref.needs_from_profile.get("projets", {}).get(pid, [])),
        *ref.needs_from_profile.get("structures", {}).get(structure_id, []),
    ]
    if p.zone_ars == "zip" or (p.zone_ars is None and arr.zone_ars.valeurs == ["zip"]):
        needs.append("zonage")
    partners = rank_partners(needs, professions, arr.numero, limit=5, profession_labels=labels)

    components = _components(g, funded)
    common: dict[str, Any] = {
        "version_grille": g.version,
        "avertissement": g.avertissement,
        "partenaires": partners,
        "profil": p,
        "non_retenus": team.left_out,
        "composantes": components,
    }
    unfunded = [g.projets[pid] for pid in project_ids if pid not in funded]
    for other in unfunded if funded else []:
        explanation = other.explication.valeur if other.explication else other.aide_investissement.note
        motifs.append(str(explanation))

    if not funded:
        motifs.extend(team.motifs)
        explanation = project.explication.valeur if project.explication else project.aide_investissement.note
        motifs.append(str(explanation))
        line = _line(
            f"{sentence_case(project.libelle)} : accompagnement sans subvention",
            0,
            f"projets.{project_id}",
            project.aide_investissement,
        )
        return _without_investment_aid(True, motifs, line, hypotheses, to_ask, common)

    reasons_no: list[str] = []
    if not structure.aide_investissement.valeur:
        reasons_no.append(
            f"{sentence_case(structure.libelle)} : pas d'aide en investissement. {structure.aide_investissement.note or ''} "
            f"Avec au moins {cond.min_professionnels.valeur} professionnels en exercice groupé, votre projet peut "
            "devenir éligible ; l'équipe Paris Méd' peut déjà vous accompagner (locaux, orientation)."
        )
    joining = growing and structure.exercice_groupe
    # The condition « équipes uniquement paramédicales admises » lifted the former need of a doctor in the team; it
    # is told as such, true of every team without one (chirurgiens-dentistes and sages-femmes are not paramedical).
    without_doctor_admitted = cond.paramedicaux_seuls_admis.valeur
    if structure.exercice_groupe and team.count < cond.min_professionnels.valeur and not (joining and team.count >= 1):
        reasons_no.append(
            f"{_plural(team.count, 'professionnel retenu', 'professionnels retenus')} : il en faut au moins "
            f"{cond.min_professionnels.valeur} en exercice groupé"
            + (", avec ou sans médecin." if without_doctor_admitted else ".")
        )
    motifs.extend(team.motifs)
    if reasons_no:
        motifs.extend(reasons_no)
        line = _line("Aide en investissement : projet non éligible en l'état", 0, "eligibilite")
        return _without_investment_aid(False, motifs, line, hypotheses, to_ask, common)

    motifs.append(
        f"Exercice groupé en {structure.libelle} avec {_plural(team.count, 'professionnel retenu', 'professionnels retenus')} : "
        f"condition d'au moins {cond.min_professionnels.valeur} professionnels remplie."
        if not joining or team.count >= cond.min_professionnels.valeur
        else f"Agrandissement d'une structure d'exercice groupé ({structure.libelle}) : "
        "les professionnels qui la rejoignent peuvent être aidés."
    )
    generalists = sum(n for prof, n in team.retained if prof == "medecin_generaliste")
    if structure.generalistes_min and generalists < structure.generalistes_min.valeur and not joining:
        # Said, not counted against the aid: the grid's structures are the Ville's, the ARS recognises MSPs.
        note = structure.generalistes_min.note or ""
        who = (
            f"avec {_plural(generalists, 'médecin généraliste', 'médecins généralistes')}"
            if generalists
            else "sans médecin généraliste"
        )
        motifs.append(
            f"{sentence_case(structure.libelle)} {who} : {note[:1].lower()}{note[1:]} Le calcul la traite comme "
            "telle ; l'équipe Paris Méd' vérifiera la structure de votre projet."
        )
    if without_doctor_admitted and all(g.professions[prof].famille != "medecin" for prof, _ in team.retained):
        motifs.append("Équipe sans médecin\u00a0: admise, la présence d'un médecin n'est plus exigée.")
    depenses = ", ".join(g.investissement.depenses_eligibles.valeur)
    kinds = " + ".join(g.projets[pid].libelle for pid in funded)
    noun = "Projet de type" if len(funded) == 1 else "Projet combinant"
    motifs.append(f"{noun} « {kinds} » éligible à l'aide en investissement ({depenses}).")
    for pid in funded:
        rule_p = g.projets[pid]
        if rule_p.aide_investissement.hypothese and rule_p.aide_investissement.note:
            hypotheses.append(rule_p.aide_investissement.note)
        if rule_p.consigne:
            hypotheses.append(rule_p.consigne.valeur)
    if structure.aide_investissement.hypothese and structure.aide_investissement.note:
        hypotheses.append(structure.aide_investissement.note)

    # --- Amount -------------------------------------------------------------------------------
    detail: list[DetailLine] = []
    base_total = 0
    for prof, count in team.retained:
        rule = g.professions[prof]
        amount = count * rule.base_eur.valeur
        base_total += amount
        detail.append(
            _line(
                f"Base : {_count_label(g, prof, count)} × {format_eur(rule.base_eur.valeur)}",
                amount,
                f"professions.{prof}.base_eur",
                rule.base_eur,
            )
        )

    w = g.ponderations
    zone = _zone(p, arr, hypotheses, to_ask)
    zone_pct = w.zone_ars.valeurs[zone]  # type: ignore[index]
    zone_label = ref.zonage.libelles[zone]  # type: ignore[index]
    detail.append(_pct_line(base_total, zone_pct, f"Zonage ARS – {zone_label}", f"ponderations.zone_ars.{zone}"))

    qpv_label = w.qpv.court
    qpv = _qpv(p, arr, hypotheses, to_ask, g.defauts.qpv, qpv_label)
    if qpv:
        detail.append(_pct_line(base_total, w.qpv.majoration_pct, sentence_case(qpv_label), "ponderations.qpv"))
    else:
        detail.append(_line(f"{sentence_case(qpv_label)} : non retenu", 0, "ponderations.qpv", w.qpv.majoration_pct))
    pct_total = zone_pct.valeur + (w.qpv.majoration_pct.valeur if qpv else 0)

    if structure.majoration_pct.valeur:
        detail.append(
            _pct_line(
                base_total,
                structure.majoration_pct,
                f"Structure – {structure.libelle}",
                f"structures.{structure_id}.majoration_pct",
            )
        )
        pct_total += structure.majoration_pct.valeur

    projet_sante = p.projet_sante if p.projet_sante is not None else g.defauts.projet_sante
    if p.projet_sante is None:
        hypotheses.append("Projet de santé non précisé : la majoration correspondante n'est pas retenue.")
    if projet_sante:
        detail.append(
            _pct_line(
                base_total, w.projet_sante.majoration_pct, "Projet de santé formalisé", "ponderations.projet_sante"
            )
        )
        pct_total += w.projet_sante.majoration_pct.valeur

    if len(team.retained) >= 2:
        detail.append(
            _pct_line(
                base_total,
                w.pluriprofessionnel.majoration_pct,
                f"Équipe pluriprofessionnelle ({len(team.retained)} professions)",
                "ponderations.pluriprofessionnel",
            )
        )
        pct_total += w.pluriprofessionnel.majoration_pct.valeur

    subtotal = sum(line.montant_eur for line in detail)
    cap_pro = g.plafonds.par_professionnel_eur
    excess = sum(
        count * max(0, g.professions[prof].base_eur.valeur * (100 + pct_total) // 100 - cap_pro.valeur)
        for prof, count in team.retained
    )
    if excess > 0:
        cut = min(excess, subtotal)
        detail.append(
            _line(
                f"Plafond de {format_eur(cap_pro.valeur)} par professionnel",
                -cut,
                "plafonds.par_professionnel_eur",
                cap_pro,
            )
        )
        subtotal -= cut
    cap_structure = structure.plafond_eur
    if subtotal > cap_structure.valeur:
        detail.append(
            _line(
                f"Plafond par structure ({structure.libelle}) : {format_eur(cap_structure.valeur)}",
                cap_structure.valeur - subtotal,
                f"structures.{structure_id}.plafond_eur",
                cap_structure,
            )
        )
        subtotal = cap_structure.valeur
    for line in detail:
        line.composantes = list(components)
    if g.composantes:
        missing = [cid for cid in g.composantes if cid not in components]
        if missing:
            hypotheses.append(
                "Composantes du projet : "
                + ", ".join(g.composantes[c].libelle for c in components)
                + " ; "
                + ", ".join(g.composantes[c].libelle for c in missing)
                + " non prévu dans le projet : sa part de l'aide n'est pas comptée."
            )
        base_amount = subtotal
        for cid in missing:
            part = g.composantes[cid].part_pct
            cut = base_amount * part.valeur // 100
            detail.append(
                _line(
                    f"{sentence_case(g.composantes[cid].libelle)} non prévu dans le projet : −{part.valeur} % de l'aide",
                    -cut,
                    f"composantes.{cid}.part_pct",
                    part,
                    [cid],
                )
            )
            subtotal -= cut
    if p.depenses_investissement_eur is not None:
        cap_exp = g.plafonds.depenses_pct
        limit = p.depenses_investissement_eur * cap_exp.valeur // 100
        if subtotal > limit:
            detail.append(
                _line(
                    f"Plafond : {cap_exp.valeur} % des dépenses d'investissement déclarées "
                    f"({format_eur(p.depenses_investissement_eur)})",
                    limit - subtotal,
                    "plafonds.depenses_pct",
                    cap_exp,
                    list(components),
                )
            )
            subtotal = limit
    else:
        to_ask.append("le montant prévu des travaux et de l'équipement (l'aide ne peut pas le dépasser)")

    hypotheses.append(
        "Montants de base, pondérations et plafonds : reconstitution indicative à confirmer par la Ville "
        "(la grille officielle de Paris Méd' 2 n'est pas publiée)."
    )
    total = sum(line.montant_eur for line in detail)
    return Estimate(
        eligible=True,
        aide_investissement=True,
        motifs=motifs,
        aide_plancher_eur=total,
        detail=detail,
        hypotheses=_dedupe(hypotheses),
        a_preciser=to_ask,
        **common,
    )


def _without_investment_aid(
    eligible: bool,
    motifs: list[str],
    line: DetailLine,
    hypotheses: list[str],
    to_ask: list[str],
    common: dict[str, Any],
) -> Estimate:
    """A « 0 € » estimate: accompanied without a subsidy (eligible) or not eligible as the project stands."""
    return Estimate(
        eligible=eligible,
        aide_investissement=False,
        motifs=motifs,
        aide_plancher_eur=0,
        detail=[line],
        hypotheses=_dedupe(hypotheses),
        a_preciser=to_ask,
        **common,
    )


def _components(grid: Grid, funded: list[str]) -> list[str]:
    """Investment components (``travaux``, ``equipement``) covered by the funded projects, in grid order."""
    if not grid.composantes:  # grids written before components: every funded project covers everything
        return list(funded)
    covered = {c for pid in funded for c in grid.projets[pid].composantes_couvertes(grid)}
    return [c for c in grid.composantes if c in covered]


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


def _dedupe(items: list[str]) -> list[str]:
    return [i for i in dict.fromkeys(x for x in items if x)]
