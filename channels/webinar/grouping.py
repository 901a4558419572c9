"""Grouping the questions that ask the same thing in other words.

Signals, all from the public API of `knowledge_base` or from the text itself (`pair_signals`):
- sentence embeddings (`knowledge_base.embed`, the model of the guide index), cosine similarity;
- the retrieval profile of each question: the fused scores of its best guide sections (`knowledge_base.search_many`),
  sharpened by a softmax (temperature) over the top ``profile_top`` sections; two questions that lead to the
  same sections in the same proportions have a profile cosine near 1 (the guide's own structure: BM25 with
  synonyms and typo repair, sections);
- the cosine of the TF-IDF vectors of the content words' character 3–5-grams (fitted on the batch itself): the
  same subject words even misspelt or abbreviated differently;
- the focus of each question (what it asks for: when, how much, who pays, whom to contact, which documents, what
  it means; patterns of data/question_focus.yaml): shared, conflicting (both known and disjoint) or missing on
  one side.

Served (``learned: true`` in data/grouping.yaml): the probability of the learned pair model (`pair_model.py`)
over these signals, the element-wise product of the embeddings, the anchors (each question's soft assignment to
the labelled groups of the training files) and the learned metric (`metric.py`). `model_signals` computes the
signals that need the batch's texts; `learned_similarity` adds the learned metric's and scores: the one scoring
path of serving and of the learning's validation (`evaluation.threshold_counts`). Why learned: every signal
available offline scores paraphrases and distinct questions on the same subject alike (both 0.60–0.72 with the
embeddings alone); what « same question » means is learned from writers' labelled files, and a hand-weighted sum
cannot carry it. Otherwise (``learned: false``, `evaluation.py --calibrer`), the hand-weighted sum

    sim = (1 − a) · [w · cosine(embeddings) + (1 − w) · cosine(profiles)] + a · cosine(character n-grams)
          − focus_conflict · conflict − focus_missing · missing + focus_shared · shared

Groups are the clusters of scikit-learn's agglomerative clustering on ``1 − sim`` (average linkage: a question
joins a group only when it is close to the group as a whole, so look-alike variants do not chain distinct
questions together), cut at ``1 − threshold``. Identical questions (same words, ignoring case, accents and
punctuation) always share a group. The model, the weights and the threshold are learned or calibrated on labelled
files other than the test split (`evaluation.py`, data/grouping.yaml); the figures of each change, and what was
tried and not kept, are in README.md (« Historique des mesures »).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

import rules_bridge
from frenchtext import asking_sentences, fold, key, words
from knowledge_base import Hit, KnowledgeBaseError, embed, search, search_many

from .metric import metric_similarity
from .pair_model import ANCHOR_METRIC_SIGNAL, METRIC_SIGNAL, Anchors, PairModel, stored_model

PARAMS_FILE = Path(__file__).resolve().parent / "data" / "grouping.yaml"
FOCUS_FILE = Path(__file__).resolve().parent / "data" / "question_focus.yaml"
TOP_K = 20  # sections kept per question (the profile uses the first `profile_top`)
REUSE_RATIO = 95  # « cabinet » vs « cabniet » in a 60-character question: ratio ≈ 97
SHORTHAND = frozenset({"svp", "stp", "bjr", "pk", "pq", "cad", "qd", "qq", "qqn", "tt", "ts", "dc", "vs", "jsp"})


@dataclass(frozen=True)
class GroupingParams:
    threshold: float = 0.46
    embedding_weight: float = 0.7
    profile_top: int = 10
    profile_temperature: float = 0.1
    linkage: str = "average"
    lexical_weight: float = 0.0
    focus_conflict: float = 0.0
    focus_missing: float = 0.0
    focus_shared: float = 0.0
    learned: bool = False  # similarity = the learned pair model's probability (pair_model.py) instead of the sum


@lru_cache(maxsize=1)
def calibrated_params() -> GroupingParams:
    """The parameters calibrated on the development split (data/grouping.yaml)."""
    data = yaml.safe_load(PARAMS_FILE.read_text(encoding="utf-8"))
    return GroupingParams(**data["parametres"])


def embed_questions(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised embeddings of the questions (the model of the guide index), in one batch; identical
    wordings are encoded once."""
    unique = list(dict.fromkeys(texts))
    position = {t: i for i, t in enumerate(unique)}
    vectors = np.asarray(embed(unique), dtype=np.float32)[[position[t] for t in texts]]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@dataclass
class Retrieval:
    sections: tuple[str, ...]  # chunk ids of the top hits, best first
    scores: tuple[float, ...]  # their fused scores

    @property
    def score(self) -> float:
        return self.scores[0] if self.scores else 0.0


SEARCH_CHUNK = 128  # wordings searched per `search_many` call (one progress step each)


def _searched(chunk: list[str]) -> list[list[Hit]]:
    """`search_many` of a chunk; when the guide refuses one wording (empty once cleaned), the others are searched
    one by one and the refused one has no sections."""
    try:
        return search_many(chunk, k=TOP_K)
    except KnowledgeBaseError:
        out: list[list[Hit]] = []
        for text in chunk:
            try:
                out.append(search(text, k=TOP_K))
            except KnowledgeBaseError:
                out.append([])
        return out


def retrieve(texts: Sequence[str], progress: Callable[[], None] | None = None) -> list[Retrieval]:
    """The best guide sections of each text. Wordings are searched in batches (`search_many`), each once: equal
    wordings up to case, accents and punctuation share one search, and so does a wording equal to an earlier one
    up to a few typos (rapidfuzz ratio ≥ REUSE_RATIO on the folded words). ``progress`` is called once per text."""
    keys = [key(t) for t in texts]
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    unique = list(first)
    source = list(range(len(unique)))  # the unique wording whose search each unique wording uses
    if len(unique) > 1:
        scores = process.cdist(unique, unique, scorer=fuzz.ratio, score_cutoff=REUSE_RATIO, workers=1)
        for j in range(1, len(unique)):
            earlier = np.flatnonzero(scores[j, :j])
            if earlier.size:
                source[j] = source[int(earlier[0])]
    searched = sorted(set(source))
    found: dict[int, Retrieval] = {}
    tick = progress or (lambda: None)
    for start in range(0, len(searched), SEARCH_CHUNK):
        chunk = searched[start : start + SEARCH_CHUNK]
        for u, hits in zip(chunk, _searched([texts[first[unique[u]]] for u in chunk]), strict=True):
            found[u] = Retrieval(tuple(h.chunk_id for h in hits), tuple(float(h.score) for h in hits))
        for _ in chunk:
            tick()
    for _ in range(len(texts) - len(searched)):
        tick()
    position = {k: u for u, k in enumerate(unique)}
    return [found[source[position[k]]] for k in keys]


def profiles(retrievals: Sequence[Retrieval], params: GroupingParams) -> np.ndarray:
    """L2-normalised retrieval profiles: softmax of the top sections' scores, zero elsewhere."""
    ids: dict[str, int] = {}
    for r in retrievals:
        for s in r.sections[: params.profile_top]:
            ids.setdefault(s, len(ids))
    out = np.zeros((len(retrievals), max(1, len(ids))), dtype=np.float32)
    for i, r in enumerate(retrievals):
        if not r.sections:
            continue
        scores = np.asarray(r.scores[: params.profile_top], dtype=np.float32)
        weights = np.exp((scores - scores.max()) / params.profile_temperature)
        for s, w in zip(r.sections[: params.profile_top], weights, strict=True):
            out[i, ids[s]] = w
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


@dataclass(frozen=True)
class FocusRules:
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    stop_words: frozenset[str]


@lru_cache(maxsize=1)
def focus_rules() -> FocusRules:
    """The focus patterns and the grammar words of data/question_focus.yaml."""
    data = yaml.safe_load(FOCUS_FILE.read_text(encoding="utf-8"))
    patterns = {name: tuple(re.compile(p) for p in found) for name, found in data["focus"].items()}
    return FocusRules(patterns, frozenset(data["mots_vides"].split()))


def asked(text: str) -> str:
    """The sentences of a text that ask (ending with « ? »), without the context around them (« Nous sommes
    3 kinés. »); the whole text when none does."""
    found = asking_sentences(text)
    return " ".join(found) if found else text


def question_focus(text: str) -> frozenset[str]:
    """What the question asks for (« delai », « montant », « charge », « contact », « documents »,
    « definition »), read from its asking sentences; empty when no pattern matches."""
    folded = fold(asked(text))
    return frozenset(name for name, found in focus_rules().patterns.items() if any(p.search(folded) for p in found))


def _content(text: str) -> str:
    stop = focus_rules().stop_words
    return " ".join(w for w in words(text) if w not in stop)


def lexical_similarity(texts: Sequence[str], against: Sequence[str] = ()) -> np.ndarray:
    """Cosine of the TF-IDF vectors of the content words' character 3–5-grams of the asking sentences (fitted
    on these texts): between the texts (n × n), or of each text to each of `against` (n × m, fitted on both)."""
    content = [_content(asked(t)) for t in [*texts, *against]]
    n, m = len(texts), len(against) or len(texts)
    if not any(content):
        return np.zeros((n, m), dtype=np.float32)
    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(content)
    other = x[n:] if against else x
    return np.asarray((x[:n] @ other.T).toarray(), dtype=np.float32)


@dataclass(frozen=True)
class FocusPairs:
    conflict: np.ndarray  # 1 where both questions have a focus and share none
    missing: np.ndarray  # 1 where exactly one of the two has a focus
    shared: np.ndarray  # 1 where the two share a focus


def focus_pairs(texts: Sequence[str]) -> FocusPairs:
    names = sorted(focus_rules().patterns)
    focuses = [question_focus(t) for t in texts]
    f = np.array([[name in found for name in names] for found in focuses], dtype=np.float32).reshape(
        len(texts), len(names)
    )
    has = np.asarray(f.any(axis=1), dtype=np.float32)
    shared = ((f @ f.T) > 0).astype(np.float32)
    both = np.outer(has, has)
    return FocusPairs(both - shared, np.abs(has[:, None] - has[None, :]), shared)


def combine_similarities(
    embedding: np.ndarray,
    profile: np.ndarray,
    lexical: np.ndarray | None,
    focus: FocusPairs | None,
    params: GroupingParams,
) -> np.ndarray:
    """The pairwise similarity from its parts (cosine matrices of the embeddings, the retrieval profiles and the
    character n-grams; the focus pairs): `lexical` and `focus` may be None when their weights are 0."""
    w, a = params.embedding_weight, params.lexical_weight
    sim = w * embedding + (1 - w) * profile
    if a:
        if lexical is None:
            raise ValueError("lexical similarities needed: lexical_weight is not 0")
        sim = (1 - a) * sim + a * lexical
    if params.focus_conflict or params.focus_missing or params.focus_shared:
        if focus is None:
            raise ValueError("focus pairs needed: a focus weight is not 0")
        sim = sim - params.focus_conflict * focus.conflict - params.focus_missing * focus.missing
        sim = sim + params.focus_shared * focus.shared
    return sim


def pair_signals(
    texts: Sequence[str], vectors: np.ndarray, retrievals: Sequence[Retrieval], profile_top: int, temperature: float
) -> dict[str, np.ndarray]:
    """The pairwise signal matrices read by the learned pair model (`pair_model.SIGNALS`)."""
    p = profiles(retrievals, GroupingParams(profile_top=profile_top, profile_temperature=temperature))
    focus = focus_pairs(texts)
    return {
        "embedding": vectors @ vectors.T,
        "profile": p @ p.T,
        "lexical": lexical_similarity(texts),
        "focus_shared": focus.shared,
        "focus_conflict": focus.conflict,
        "focus_missing": focus.missing,
    }


def learned_similarity(model: PairModel, vectors: np.ndarray, signals: Mapping[str, np.ndarray]) -> np.ndarray:
    """The learned model's probability that two questions ask the same thing, for every pair, from the signals
    the caller computed (`model_signals`; the learning keeps them per batch): the learned metric's signals are
    added here from the model's projection. The one scoring path of the served grouping (`similarity_matrix`)
    and of the learning's validation (`evaluation.threshold_counts`)."""
    full = dict(signals)
    if model.projection is not None:
        anchors = model.anchors if ANCHOR_METRIC_SIGNAL in model.signals else None
        full.update(metric_signals(vectors, model.projection, anchors))
    return model.probabilities(full, vectors)


def model_signals(
    texts: Sequence[str], vectors: np.ndarray, retrievals: Sequence[Retrieval], model: PairModel
) -> dict[str, np.ndarray]:
    """The signals of `learned_similarity` that do not depend on the learned metric: `pair_signals` with the
    model's profile settings and, when the model has anchors, `anchor_signals` with them."""
    signals = pair_signals(texts, vectors, retrievals, model.profile_top, model.profile_temperature)
    if model.anchors is not None:
        signals.update(anchor_signals(texts, vectors, model.anchors))
    return signals


def metric_signals(vectors: np.ndarray, projection: np.ndarray, anchors: Anchors | None) -> dict[str, np.ndarray]:
    """The learned metric's signals: the cosine in the metric (METRIC_SIGNAL) and, with `anchors`, their soft
    assignment in it (ANCHOR_METRIC_SIGNAL, `pair_model.Anchors.metric_signal`)."""
    signals = {METRIC_SIGNAL: metric_similarity(vectors, projection)}
    if anchors is not None:
        signals[ANCHOR_METRIC_SIGNAL] = anchors.metric_signal(vectors, projection)
    return signals


def anchor_signals(texts: Sequence[str], vectors: np.ndarray, anchors: Anchors) -> dict[str, np.ndarray]:
    """The pair signals of the questions' soft assignment to the labelled groups of `anchors`, by embeddings
    and by character n-grams (`pair_model.Anchors.signals`)."""
    return anchors.signals(vectors, lexical_similarity(texts, anchors.texts))


def similarity_matrix(
    texts: Sequence[str], vectors: np.ndarray, retrievals: Sequence[Retrieval], params: GroupingParams
) -> np.ndarray:
    """Pairwise similarity: the learned pair model's probability when ``params.learned`` (data/pair_model.npz),
    else the weighted sum of the embeddings', the retrieval profiles' and the character n-grams' cosines, less
    the focus penalties; 0 at most for two questions on the eligibility of different professions."""
    if params.learned:
        model = stored_model()
        sim = learned_similarity(model, vectors, model_signals(texts, vectors, retrievals, model))
    else:
        p = profiles(retrievals, params)
        focus_used = params.focus_conflict or params.focus_missing or params.focus_shared
        sim = combine_similarities(
            vectors @ vectors.T,
            p @ p.T,
            lexical_similarity(texts) if params.lexical_weight else None,
            focus_pairs(texts) if focus_used else None,
            params,
        )
    sim = np.where(eligibility_by_profession_conflicts(texts), np.minimum(sim, 0.0), sim)
    return np.asarray(sim, dtype=np.float32)


# Whether a profession is eligible is a question per profession: « Les ostéopathes sont-ils éligibles ? » and « Les
# kinés sont-ils éligibles ? » have different answers (the estimate counts no ostéopathe), yet they were grouped
# (third outside test). On other topics, professions do not split a question (« mon cabinet de kiné est-il un ERP ? »
# and « … quand on est 2 infirmières ? » are one group in the labelled set). Doctors are one family here (« médecin
# secteur 2 » and « spécialiste en secteur 2 » are one group too).
_AID_WORDS = frozenset(
    ["eligible", "eligibles", "eligibilite", "droit", "aide", "aides", "subvention", "beneficier", "financement"]
)
_EXCLUDED = re.compile(r"\b(?:sans|hors|ni|pas de|pas d) (?:(?:un|une|de|d|des|le|la|les) )?\w+")
_PROFESSION_FAMILY = {"medecin_generaliste": "medecin", "medecin_specialiste": "medecin"}


@lru_cache(maxsize=1)
def _profession_patterns() -> dict[str, re.Pattern[str]]:
    """One pattern per profession of the vocabulary (rules_bridge), over folded text; « déménag* » is a prefix."""
    patterns = {}
    for profession, wordings in rules_bridge.vocabulary().professions.items():
        alternatives = []
        for wording in wordings:
            folded = re.escape(key(wording.rstrip("*")))
            alternatives.append(folded + (r"\w*" if wording.endswith("*") else "s?"))
        patterns[profession] = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")
    return patterns


def professions_named(text: str) -> frozenset[str]:
    """The professions (doctors as one family) a question names, e.g. {"masseur_kinesitherapeute"}; not those it
    excludes (« aide ouverte aux paramédicaux sans médecin ? »)."""
    folded = _EXCLUDED.sub(" ", key(asked(text)))
    return frozenset(
        _PROFESSION_FAMILY.get(p, p) for p, pattern in _profession_patterns().items() if pattern.search(folded)
    )


def eligibility_by_profession_conflicts(texts: Sequence[str]) -> np.ndarray:
    """1 where two questions both ask about the aid and name professions they do not share: never one group."""
    named = [professions_named(t) if set(words(asked(t))) & _AID_WORDS else frozenset() for t in texts]
    columns = sorted(set().union(*named))
    member = np.zeros((len(texts), len(columns)), dtype=np.float32)
    for i, found in enumerate(named):
        member[i, [columns.index(c) for c in found]] = 1.0
    has = member.any(axis=1)
    return np.asarray(np.outer(has, has) & ((member @ member.T) == 0), dtype=bool)


def representatives(texts: Sequence[str]) -> tuple[list[int], list[int]]:
    """Identical wordings (same `key`) are one point: the index of each text's first identical wording, and
    those first indices in order."""
    first_of: dict[str, int] = {}
    rep_of = [first_of.setdefault(key(t), i) for i, t in enumerate(texts)]
    return rep_of, sorted(set(rep_of))


def cluster_labels(sim: np.ndarray, params: GroupingParams) -> np.ndarray:
    """Agglomerative clustering of a similarity matrix, cut at ``1 − threshold``."""
    distance = np.clip(1.0 - sim, 0.0, None).astype(np.float64)
    np.fill_diagonal(distance, 0.0)
    labels: np.ndarray = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage=params.linkage,
        distance_threshold=max(1e-6, 1.0 - params.threshold),
    ).fit_predict(distance)
    return labels


def group_indices(
    texts: Sequence[str],
    vectors: np.ndarray,
    retrievals: Sequence[Retrieval],
    params: GroupingParams | None = None,
) -> list[list[int]]:
    """Groups of question indices, largest first (then in order of first appearance)."""
    params = params or calibrated_params()
    n = len(texts)
    if n == 0:
        return []
    rep_of, reps = representatives(texts)  # identical wordings: cheaper, and they always share a group
    if len(reps) == 1:
        labels = np.zeros(1, dtype=np.int64)
    else:
        sim = similarity_matrix([texts[i] for i in reps], vectors[reps], [retrievals[i] for i in reps], params)
        labels = cluster_labels(sim, params)
    label_of_rep = {r: int(lab) for r, lab in zip(reps, labels, strict=True)}
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(label_of_rep[rep_of[i]], []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def clarity(text: str) -> float:
    """How well a wording reads as a FAQ title: a full question of a sensible length, no chat shorthand."""
    score = 0.0
    stripped = text.strip()
    if stripped.endswith("?") and not stripped.endswith("??"):
        score += 0.1
    if 25 <= len(stripped) <= 160:
        score += 0.05
    if stripped[:1].isupper():
        score += 0.03
    tokens = words(stripped)
    if tokens and SHORTHAND & set(tokens):
        score -= 0.1
    if "!!" in stripped or "??" in stripped or stripped.isupper():
        score -= 0.05
    return score


def title_order(group: list[int], texts: Sequence[str], vectors: np.ndarray) -> list[int]:
    """Members of a group, the clearest representative first (central and well written), then by centrality."""
    if len(group) == 1:
        return list(group)
    v = vectors[group]
    centrality = (v @ v.T).mean(axis=1)
    score = centrality + np.array([clarity(texts[i]) for i in group], dtype=np.float32)
    best = int(np.argmax(score))
    rest = [group[i] for i in np.argsort(-centrality, kind="stable") if i != best]
    return [group[best], *rest]
