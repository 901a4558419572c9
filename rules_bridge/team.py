"""The team described in a request: how many professionals (digits or French number words, read by text2num),
and which mentions of a profession are patient-side (« un médecin traitant pour ma mère »), not the team."""

from __future__ import annotations

from functools import lru_cache

from text_to_num import text2num

from rules_bridge.limits import MAX_PROFESSIONALS
from rules_bridge.matching import Match, Tables, Tok, phrase_at, tables


@lru_cache(maxsize=4096)
def number_in_words(text: str) -> int | None:
    """« deux » → 2, « dix-sept » / « dix sept » → 17, « vingt et un » → 21; None when it is not a number."""
    if not text or any(ch.isdigit() for ch in text):
        return None
    try:
        return int(text2num(text, "fr"))
    except ValueError:
        return None


def number_at(tokens: list[Tok], i: int) -> int | None:
    """The number written at token ``i`` (digits or a one-word number)."""
    if not 0 <= i < len(tokens):
        return None
    tok = tokens[i]
    if tok.surface.isdigit() and len(tok.surface) <= 3:
        return int(tok.surface)
    return number_in_words(tok.surface)


def number_before(tokens: list[Tok], end: int) -> int | None:
    """The number written just before token ``end`` (« 3 », « deux », « dix-sept », « vingt et un »)."""
    return number_span_before(tokens, end)[0]


def number_span_before(tokens: list[Tok], end: int) -> tuple[int | None, int]:
    """The number written just before token ``end`` and how many tokens it spans (0 when there is none)."""
    for phrase, said in tables().number_phrases:  # « un couple de médecins », « un seul médecin »
        if end - len(phrase) >= 0 and phrase_at(tokens, end - len(phrase), phrase):
            return said, len(phrase)
    for span in (3, 2):
        if end >= span:
            n = number_in_words(" ".join(tok.surface for tok in tokens[end - span : end]))
            if n is not None:
                return n, span
    n = number_at(tokens, end - 1)
    return n, (1 if n is not None else 0)


def counts(n: int | None) -> bool:
    """A plausible headcount (the one limit of the project, MAX_PROFESSIONALS)."""
    return n is not None and 1 <= n <= MAX_PROFESSIONALS


def patient_side(tokens: list[Tok], m: Match, t: Tables, team_clauses: set[int], stop: int) -> bool:
    """A profession cited as a caregiver sought for oneself or a relative (rule in data/vocabulaire.yaml).

    A beneficiary (« pour ma mère ») is looked for after ``m`` up to ``stop``, the next profession mentioned."""
    clause = tokens[m.start].clause
    for i in range(m.end, min(len(tokens), m.end + t.window, stop)):
        if tokens[i].clause != clause:
            break
        if any(phrase_at(tokens, i, phrase) for phrase in t.beneficiaries):
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
                and phrase_at(tokens, start, phrase)
                and not (end < len(tokens) and tokens[end].after_punct)
            ):
                return clause not in team_clauses
    return False


def number_from(tokens: list[Tok], i: int) -> tuple[int | None, int]:
    """The number starting at token ``i`` and how many tokens it spans (« dix-sept » is two tokens)."""
    for span in (3, 2):
        if i + span <= len(tokens):
            n = number_in_words(" ".join(tok.surface for tok in tokens[i : i + span]))
            if n is not None:
                return n, span
    return number_at(tokens, i), 1


def removed_from_team(tokens: list[Tok], m: Match, t: Tables) -> bool:
    """The profession ``m`` is taken away from the team described before: « sans le médecin », « sauf l'infirmière »,
    « et si on enlève l'infirmière ? »."""
    clause = tokens[m.start].clause
    if any(
        tokens[i].clause == clause and any(tokens[i].matches(verb) for verb in t.removal_verbs) for i in range(m.start)
    ):
        return True
    for gap in range(_ADDITION_GAP):
        i = m.start - 1 - gap
        if i < 0 or tokens[i].clause != clause or (gap and tokens[i + 1].after_punct):
            return False
        if tokens[i].surface in t.removal_before:
            return True
        if not (tokens[i].pos in {"DET", "NUM", "ADJ"} or tokens[i].is_number or number_at(tokens, i) is not None):
            return False
    return False


def team_size(tokens: list[Tok], t: Tables, arr_positions: set[int], counted: set[int]) -> int | None:
    """Team size stated as such (« nous sommes 4 », « 5 praticiens », « avec deux collègues » = 3, the writer
    included); numbers counting a profession are skipped."""
    i = 0
    while i < len(tokens):
        if i in arr_positions or i in counted:
            i += 1
            continue
        n, span = number_from(tokens, i)
        if counts(n):
            for phrase in t.effectif_before:
                k = len(phrase)
                if i - k >= 0 and all(tokens[i - k + j].matches(phrase[j]) for j in range(k)):
                    return n
            end = i + span
            if n is not None and counts(n + 1) and with_the_writer(tokens, i, end, t):
                return n + 1
            for phrase in t.effectif_after:
                k = len(phrase)
                if end + k <= len(tokens) and all(tokens[end + j].matches(phrase[j]) for j in range(k)):
                    return n
        i += span
    return None


def with_the_writer(tokens: list[Tok], start: int, end: int, t: Tables) -> bool:
    """The number at ``start``–``end`` counts the writer's colleagues, not the writer: « avec deux collègues »,
    « moi + deux associées » (« + » is not a token), « deux confrères et moi »."""
    if end >= len(tokens) or not any(tokens[end].matches(w) for w in t.colleagues):
        return False
    before = start > 0 and tokens[start - 1].surface in t.self_before
    after = [tok.surface for tok in tokens[end + 1 : end + 3]] == ["et", "moi"]
    return before or after


_ADDITION_GAP = 3  # « avec une autre infirmière », « avec deux orthophonistes »


def added_to_team(tokens: list[Tok], m: Match, t: Tables) -> bool:
    """The profession ``m`` is presented as an addition to a team described before (the vocabulary's « ajout_* »);
    « avec un seul médecin » recounts it, « sans le médecin » takes it away (`removed_from_team`)."""
    clause = tokens[m.start].clause
    for gap in range(_ADDITION_GAP):
        i = m.start - 1 - gap
        if i < 0 or tokens[i].clause != clause or (gap and tokens[i + 1].after_punct):
            break
        if tokens[i].surface in {"seul", "seule"} or tokens[i].surface in t.removal_before:
            return False
        if tokens[i].surface in t.addition_before:
            return True
        if not (tokens[i].pos in {"DET", "NUM", "ADJ"} or tokens[i].is_number or number_at(tokens, i) is not None):
            break
    for phrase in t.addition_after:
        if phrase_at(tokens, m.end, phrase) and not tokens[m.end].after_punct:
            return True
    return any(
        tokens[i].clause == clause and any(tokens[i].matches(verb) for verb in t.addition_verbs)
        for i in range(0, m.start)
    )


# « l'un de nous », « deux d'entre nous », « un des médecins », « un seul d'entre eux »: part of the team, not all of it.
_PART_OF_TEAM = (("de", "nous"), ("d", "entre", "nous"), ("d", "entre", "eux"), ("de", "eux"), ("parmi", "nous"))
_PART_WINDOW = 6  # tokens between the part of the team and the sector (« l'un de nous passe en secteur 1 »)


def part_of_team_before(tokens: list[Tok], end: int) -> int | None:
    """How many members of the team the words before token ``end`` single out in its clause (« l'un de nous passe
    en secteur 1 » → 1, « deux d'entre nous » → 2, « un des médecins » → 1); None when they speak of the whole
    team. The fifth outside tester's « et si l'un de nous passe en secteur 1 ? » moved all three doctors."""
    if not 0 < end <= len(tokens):
        return None
    clause = tokens[end - 1].clause
    for i in range(max(0, end - _PART_WINDOW - 4), end):
        if tokens[i].clause != clause:
            continue
        n = number_at(tokens, i)
        if n is None or not counts(n):
            continue
        j = i + 1
        if j < end and tokens[j].surface in {"seul", "seule"}:
            j += 1
        after = tuple(tok.surface for tok in tokens[j : j + 3])
        if any(after[: len(p)] == p for p in _PART_OF_TEAM) or (after[:1] == ("des",) and j + 1 < end):
            return n
    return None
