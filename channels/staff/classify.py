"""Triage of a request: theme, professions, arrondissement, ARS zone, priority, partners, draft answer.

`classify(texte)` returns the stable contract of `parismed triage classify --json`:

    {"theme": "locaux"|"equipe"|"financement"|"reglementaire"|"orientation"|"autre",
     "professions": [str], "arrondissement": int 1-20 | None, "zone_ars": str | None,
     "priorite": {"niveau": "haute"|"normale"|"basse", "raison": str},
     "partenaires": [{"nom", "raison", "url"}], "brouillon": str}

The theme comes from a logistic regression over the character n-grams of the request, the sentences that ask
for something counting more, and its sentence vectors (multilingual-e5-small, vectors.py) (coefficients as data in data/theme_model.json, retrained with
`python -m channels.staff.evaluation train`; measured in eval/RESULTATS.md). Without that file the keyword rules
of data/themes.yaml decide; their request markers also choose the sentences the model weights. Professions and
arrondissement come from `rules_bridge.extract`, partners from `rules_bridge.orient`, the draft from
`knowledge_base.answer` (see draft.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from frenchtext import asking_sentences, sentences
from frenchtext.linear import LinearModel, char_ngrams

from . import integrations
from .draft import build_draft
from .matching import KeywordSet, tokens_of
from .vectors import request_vectors

DATA_DIR = Path(__file__).resolve().parent / "data"
THEMES = ("locaux", "equipe", "financement", "reglementaire", "orientation", "autre")


@dataclass
class ThemeRules:
    min_score: int
    order: list[str]
    labels: dict[str, str]
    weighted: dict[str, list[tuple[int, KeywordSet]]]
    request_markers: KeywordSet  # words of a sentence that asks for something (« pourriez-vous », « je cherche »)
    request_weight: int  # a keyword in such a sentence counts this many times: the need asked, not the context
    decisive: dict[str, int]  # theme -> score from which it wins outright (e.g. « autre »: press, advertising)

    def sentences(self, texte: str) -> list[tuple[list[str], bool]]:
        """The tokens of each sentence of the text, and whether it asks for something (« ? », a request
        marker): the rules and the theme model both weigh the need asked more than the context."""
        out = []
        for sentence in sentences(texte):
            tokens = list(tokens_of(sentence))
            if tokens:
                out.append((tokens, sentence.rstrip().endswith("?") or bool(self.request_markers.find(tokens))))
        return out

    def scores(self, texte: str) -> tuple[dict[str, int], dict[str, list[str]]]:
        parts = self.sentences(texte)
        scores: dict[str, int] = {}
        matched: dict[str, list[str]] = {}
        for theme in self.order:
            best: dict[str, int] = {}  # keyword -> its best weighted count (each keyword counts once)
            for tokens, asks in parts:
                factor = self.request_weight if asks else 1
                covered: set[int] = set()
                for weight, kws in self.weighted.get(theme, []):
                    for found in kws.find(tokens, covered):
                        best[found] = max(best.get(found, 0), weight * factor)
            scores[theme] = sum(best.values())
            matched[theme] = list(best)
        return scores, matched

    def theme(self, texte: str) -> str:
        scores, _ = self.scores(texte)
        for theme, floor in self.decisive.items():
            if scores.get(theme, 0) >= floor:
                return theme
        best = max(self.order, key=lambda t: (scores[t], -self.order.index(t)))
        return best if scores[best] >= self.min_score else "autre"


@lru_cache
def theme_rules() -> ThemeRules:
    data = yaml.safe_load((DATA_DIR / "themes.yaml").read_text(encoding="utf-8"))
    order = list(data["themes"].keys())
    unknown = set(order) - set(THEMES)
    if unknown:
        raise ValueError(f"Unknown themes in themes.yaml: {sorted(unknown)}")
    weighted = {
        theme: [(int(w), KeywordSet(list(kws))) for w, kws in sorted(levels.items(), key=lambda x: -int(x[0]))]
        for theme, levels in data["themes"].items()
    }
    return ThemeRules(
        min_score=int(data.get("min_score", 1)),
        order=order,
        labels=data["labels"],
        weighted=weighted,
        request_markers=KeywordSet(list(data.get("request_markers") or [])),
        request_weight=int(data.get("request_weight", 1)),
        decisive={str(k): int(v) for k, v in (data.get("decisive") or {}).items()},
    )


def theme_features(
    texte: str,
    rules: ThemeRules,
    ask_weight: float,
    ngrams: tuple[int, int],
    rules_weight: float = 0.0,
    vectors: Sequence[float] | None = None,
    vector_weight: float = 0.0,
) -> dict[str, float]:
    """Inputs of the theme model: the character n-grams of the folded words (``c:<gram>``, log-scaled counts,
    unit length), a gram of a sentence that asks for something (« ? », `request_markers`) counting
    ``ask_weight`` times; with ``rules_weight`` > 0 also the rule scores (``r:<theme>``, log 1 + score) and the
    rules' own choice (``p:<theme>``); with ``vector_weight`` > 0 the request's sentence vectors
    (``e:<i>``, `vectors.request_vectors`) times that weight."""
    feats: dict[str, float] = {}
    if vector_weight > 0 and vectors is not None:
        feats.update({f"e:{i}": vector_weight * float(x) for i, x in enumerate(vectors)})
    if rules_weight > 0:
        scores, _ = rules.scores(texte)
        feats.update({f"r:{t}": rules_weight * math.log1p(scores.get(t, 0)) for t in THEMES})
        feats[f"p:{rules.theme(texte)}"] = rules_weight
    feats.update(
        char_ngrams(((tokens, ask_weight if asks else 1.0) for tokens, asks in rules.sentences(texte)), ngrams)
    )
    return feats


@dataclass
class ThemeModel:
    """Multinomial logistic regression over `theme_features` (coefficients in data/theme_model.json)."""

    model: LinearModel
    ask_weight: float
    ngrams: tuple[int, int]
    rules_weight: float
    vector_weight: float = 0.0

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ThemeModel:
        """The model of data/theme_model.json (as written by `evaluation.train_theme_model`)."""
        unknown = set(data["classes"]) - set(THEMES)
        if unknown:
            raise ValueError(f"Unknown themes in theme_model.json: {sorted(unknown)}")
        return cls(
            model=LinearModel.from_data(data),
            ask_weight=float(data["ask_weight"]),
            ngrams=(int(data["ngrams"][0]), int(data["ngrams"][1])),
            rules_weight=float(data.get("rules_weight", 0.0)),
            vector_weight=float(data.get("vector_weight", 0.0)),
        )

    def features(self, texte: str, rules: ThemeRules) -> dict[str, float]:
        vectors = request_vectors([texte])[0] if self.vector_weight > 0 else None
        return theme_features(
            texte, rules, self.ask_weight, self.ngrams, self.rules_weight, vectors, self.vector_weight
        )

    def probabilities(self, texte: str, rules: ThemeRules) -> dict[str, float]:
        return self.model.probabilities(self.features(texte, rules))

    def theme(self, texte: str, rules: ThemeRules) -> str:
        return self.model.best(self.features(texte, rules))


THEME_MODEL_FILE = DATA_DIR / "theme_model.json"


@lru_cache
def theme_model() -> ThemeModel | None:
    """The learned theme model, or None when data/theme_model.json is absent (the rules decide alone)."""
    if not THEME_MODEL_FILE.exists():
        return None
    return ThemeModel.from_data(json.loads(THEME_MODEL_FILE.read_text(encoding="utf-8")))


@lru_cache
def priority_rules() -> dict[str, Any]:
    data = yaml.safe_load((DATA_DIR / "priorite.yaml").read_text(encoding="utf-8"))
    for sig in data["signals"]:
        sig["_kws"] = KeywordSet(sig.get("keywords") or [])
        sig["_sauf"] = KeywordSet(sig.get("sauf") or [])
    return data


def classify_theme(texte: str) -> str:
    """The main need of the request: the learned model's choice, or the rules' when there is no model."""
    model = theme_model()
    return model.theme(texte, theme_rules()) if model is not None else theme_rules().theme(texte)


def theme_label(theme: str | None) -> str:
    return theme_rules().labels.get(theme or "", theme or "—")


def assess_priority(texte: str, theme: str, zone_ars: str | None, source: str | None) -> dict[str, str]:
    rules = priority_rules()
    tokens = list(tokens_of(texte))
    points = 0
    reasons: list[str] = []
    for sig in rules["signals"]:
        hit = False
        if sig.get("keywords") and sig["_kws"].find(tokens) and not sig["_sauf"].find(tokens):
            hit = True
        if sig.get("zones") and zone_ars in sig["zones"]:
            hit = True
        if sig.get("sources") and source in sig["sources"]:
            hit = True
        if sig.get("themes") and theme in sig["themes"]:
            hit = True
        if hit:
            points += int(sig["points"])
            reasons.append(sig["raison"])
    if points >= rules["haute_from"]:
        niveau = "haute"
    elif points <= rules["basse_upto"]:
        niveau = "basse"
    else:
        niveau = "normale"
    raison = " ; ".join(reasons) if reasons else rules["default_raison"]
    return {"niveau": niveau, "raison": raison[0].upper() + raison[1:] + "."}


def zone_for(arrondissement: int | None, estimate: dict[str, Any] | None) -> str | None:
    """ARS zone of the arrondissement, as given by rules_bridge's estimate (None when unknown)."""
    if estimate:
        for key in ("zone_ars", "zone"):
            if estimate.get(key):
                return str(estimate[key])
        for line in estimate.get("detail") or []:  # e.g. regle "ponderations.zone_ars.zip"
            rule = str(line.get("regle") or "")
            if rule.startswith("ponderations.zone_ars."):
                return rule.rsplit(".", 1)[-1]
    return integrations.zone_ars(arrondissement)


MAX_GUIDE_QUERY = 1000  # knowledge_base refuses longer questions
MAX_GUIDE_ANSWERS = 2


def question_sentences(texte: str) -> list[str]:
    """The sentences of a request that are questions (a request often asks several things)."""
    return [sentence[:MAX_GUIDE_QUERY] for sentence in asking_sentences(texte) if len(sentence) >= 15]


def guide_answers(texte: str, warnings: list[str]) -> list[dict[str, Any]]:
    """Cited answers of the guide to the request and to each question it contains (best first, deduplicated)."""
    queries = [texte.strip()[:MAX_GUIDE_QUERY]]
    queries += [q for q in question_sentences(texte) if q != queries[0]][:4]
    answers: list[dict[str, Any]] = []
    seen: set[str] = set()
    for q in queries:
        a = integrations.kb_answer(q, warnings)
        if not a or not a.get("answered") or not a.get("answer"):
            continue
        key = a["answer"].strip()
        if key in seen:
            continue
        seen.add(key)
        answers.append(a)
    answers.sort(key=lambda a: -float(a.get("score") or 0))
    return answers[:MAX_GUIDE_ANSWERS]


def classify_full(texte: str, *, source: str | None = None, with_draft: bool = True) -> dict[str, Any]:
    """The contract of `classify` plus internal fields: estimate, explanation, theme scores, warnings."""
    warnings: list[str] = []
    rules = theme_rules()
    scores, matched = rules.scores(texte)
    theme = classify_theme(texte)
    x = integrations.extract(texte, warnings)
    estimate, explanation = (None, None)
    profile = integrations.profile_from(x)
    if profile is not None:
        estimate, explanation = integrations.estimate(profile, warnings)
        if estimate is not None:
            estimate["_profil"] = profile
    zone = zone_for(x.arrondissement, estimate)
    priorite = assess_priority(texte, theme, zone, source)
    partenaires = integrations.orient(texte, warnings)
    guide = guide_answers(texte, warnings) if with_draft else []
    brouillon = (
        build_draft(theme=theme, guide=guide, partenaires=partenaires, estimate=estimate, extracted=x)
        if with_draft
        else ""
    )
    return {
        "theme": theme,
        "professions": x.professions,
        "arrondissement": x.arrondissement,
        "zone_ars": zone,
        "priorite": priorite,
        "partenaires": partenaires,
        "brouillon": brouillon,
        "_estimate": estimate,
        "_explication": explanation,
        "_scores": scores,
        "_mots_cles": {t: m for t, m in matched.items() if m},
        "_guide": guide,
        "_avertissements": warnings,
    }


CONTRACT_KEYS = ("theme", "professions", "arrondissement", "zone_ars", "priorite", "partenaires", "brouillon")


def classify(texte: str, *, source: str | None = None) -> dict[str, Any]:
    """Triage of one request (stable contract, see module docstring)."""
    full = classify_full(texte, source=source)
    return {k: full[k] for k in CONTRACT_KEYS}
