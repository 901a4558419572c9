"""Partner directory and ranking (shared by ``estimate`` and ``orient``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from rules_bridge.reference import Need, PartnerEntry, PartnerTemplate, Reference, load_reference

# Scores: the first partner of the main need scores 100, each next position 10 less; a partner also
# relevant to other needs gets a small bonus; location and profession add their own partners last.
_TOP = 100
_STEP = 10
_OTHER_NEED_BONUS = 5
_SECONDARY_NEED_WEIGHT = 0.9
_CPTS_WHEN_LOCATED = 35
_PROFESSION_PARTNERS = 30


class Partner(BaseModel):
    """A partner to contact, with why (``raison``) and how (``url``, ``contact``). Immutable (results are cached)."""

    model_config = ConfigDict(frozen=True)

    id: str
    nom: str
    raison: str
    url: str | None = None
    url_verifiee: bool = False
    contact: str | None = None
    sources: list[str] = []

    def to_contract(self) -> dict[str, str | None]:
        return {"nom": self.nom, "raison": self.raison, "url": self.url}


def _from_entry(entry: PartnerEntry, reason: str) -> Partner:
    return Partner(
        id=entry.id,
        nom=entry.nom,
        raison=reason,
        url=entry.url,
        url_verifiee=entry.url_verifiee,
        contact=entry.contact,
        sources=entry.sources,
    )


def _from_template(partner_id: str, template: PartnerTemplate, **placeholders: str) -> Partner:
    """A partner from a profile-dependent template of ``partenaires.yaml``, its name and reason filled in."""
    return Partner(
        id=partner_id,
        nom=(template.nom or "").format(**placeholders),
        raison=template.raison.format(**placeholders),
        url=template.url,
        url_verifiee=template.url_verifiee,
        contact=template.contact,
        sources=template.sources,
    )


class PartnerDirectory:
    """Typed access to ``data/partenaires.yaml`` plus the profile-dependent entries (CPTS, URPS, Ordres)."""

    def __init__(self, reference: Reference | None = None) -> None:
        self.ref = reference or load_reference()

    def all(self) -> list[PartnerEntry]:
        return list(self.ref.partners.values())

    def get(self, partner_id: str, need_id: str = "defaut") -> Partner:
        entry = self.ref.partners[partner_id]
        return _from_entry(entry, entry.raisons.get(need_id, entry.raisons["defaut"]))

    def cpts(self, arrondissement: int | None) -> Partner:
        t = self.ref.templates
        if arrondissement is None:
            return _from_template("cpts", t["cpts_sans_arrondissement"])
        arr = self.ref.arrondissement(arrondissement)
        if arr.cpts is None:
            return _from_template(f"cpts-{arrondissement}", t["cpts_inconnue"], arrondissement=arr.court)
        tpl = t["cpts_verifiee"]
        reason = tpl.raison.format(arrondissement=arr.court)
        if arr.cpts.url is None and tpl.raison_sans_site:
            reason = f"{reason} {tpl.raison_sans_site}"
        return Partner(
            id=f"cpts-{arrondissement}",
            nom=arr.cpts.nom,
            raison=reason,
            url=arr.cpts.url or tpl.url_si_absente,
            url_verifiee=True,  # the CPTS site, or the ARS directory (both checked)
            contact=arr.cpts.note,
            sources=arr.cpts.sources,
        )

    def urps(self, profession: str, grid_labels: dict[str, str], need_id: str) -> Partner | None:
        for entry in self.ref.partners.values():
            if not entry.ordre and profession in entry.professions:
                return _from_entry(entry, entry.raisons.get(need_id, entry.raisons["defaut"]))
        tpl = self.ref.templates["urps_profession"]
        if profession not in tpl.professions:
            return None
        return _from_template(f"urps-{profession}", tpl, profession_pluriel=grid_labels.get(profession, profession))

    def ordre_unknown_profession(self) -> Partner:
        """The Ordre when the request names no profession: who must register, and how to find one's Ordre."""
        return _from_template("ordre", self.ref.templates["ordre_sans_profession"])

    def ordre(self, profession: str, need_id: str) -> Partner:
        for entry in self.ref.partners.values():
            if entry.ordre and profession in entry.professions:
                return _from_entry(entry, entry.raisons.get(need_id, entry.raisons["defaut"]))
        tpl = self.ref.templates["ordre_absent"]
        base = self.get(tpl.partenaire or "ars_idf")
        return base.model_copy(update={"raison": tpl.raison})


@dataclass
class _Scored:
    partner: Partner
    best: float
    order: int
    needs: set[str] = field(default_factory=set)

    @property
    def score(self) -> float:
        return self.best + _OTHER_NEED_BONUS * (len(self.needs) - 1)


def rank_partners(
    needs: list[str],
    professions: list[str],
    arrondissement: int | None,
    limit: int = 5,
    profession_labels: dict[str, str] | None = None,
) -> list[Partner]:
    """Partners for these needs (in order of importance), professions and arrondissement, best first."""
    labels = tuple(sorted((profession_labels or {}).items()))
    return list(_rank(tuple(needs), tuple(dict.fromkeys(professions)), arrondissement, limit, labels))


@lru_cache(maxsize=2048)
def _rank(
    needs: tuple[str, ...],
    professions: tuple[str, ...],
    arrondissement: int | None,
    limit: int,
    profession_labels: tuple[tuple[str, str], ...],
) -> tuple[Partner, ...]:
    directory = PartnerDirectory()
    ref = directory.ref
    labels = dict(profession_labels)
    chosen: list[Need] = [ref.needs[n] for n in dict.fromkeys(needs) if n in ref.needs] or [ref.default_need]
    scored: dict[str, _Scored] = {}

    def add(partner: Partner, score: float, need_id: str) -> None:
        current = scored.get(partner.id)
        if current is None:
            scored[partner.id] = _Scored(partner, score, len(scored), {need_id})
            return
        current.needs.add(need_id)
        if score > current.best:
            current.best = score
            current.partner = partner

    def resolve(token: str, need_id: str) -> list[Partner]:
        if token == "@cpts":
            return [directory.cpts(arrondissement)]
        if token == "@urps":
            return [p for p in (directory.urps(prof, labels, need_id) for prof in professions) if p]
        if token == "@ordre":
            found = [directory.ordre(prof, need_id) for prof in professions]
            return found or [directory.ordre_unknown_profession()]
        return [directory.get(token, need_id)]

    for rank, need in enumerate(chosen):
        weight = 1.0 if rank == 0 else _SECONDARY_NEED_WEIGHT
        for position, token in enumerate(need.partenaires):
            for partner in resolve(token, need.id):
                add(partner, weight * (_TOP - _STEP * position), need.id)

    if arrondissement is not None:
        cpts = directory.cpts(arrondissement)
        if cpts.id not in scored:
            add(cpts, _CPTS_WHEN_LOCATED, "localisation")
    for prof in professions:
        for candidate in (directory.urps(prof, labels, "defaut"), directory.ordre(prof, "defaut")):
            if candidate is not None and candidate.id not in scored:
                add(candidate, _PROFESSION_PARTNERS, "profession")

    ranked = sorted(scored.values(), key=lambda s: (-s.score, s.order))
    return tuple(s.partner for s in ranked[: max(0, limit)])
