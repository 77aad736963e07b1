"""Residents' suggestions grouped into themes per category, for the council (SPEC §2).

The answers to the dialogue question ("what could police and municipality do?") repeat
themselves: "Fler vuxna ute på kvällarna" ten times, "Mer vuxna ute på kvällstid" and
"fler vuxna som rör sig ute på kvällarna" besides. The council reads themes with counts
and one or two quotes instead of every answer.

Method
------
1. **Normalise** each answer: lower case, words only, Swedish stop words removed (the
   ``stop-words`` package's Swedish list, which also drops *fler*, *mer* and *bättre*:
   nearly every suggestion asks for more or better of something, so they tell themes
   apart by nothing), plus a few words that frame a suggestion (*tycker*, *borde*,
   *förslag*), each word reduced to its stem with the Snowball Swedish stemmer
   (``snowballstemmer``): *kvällarna* and *kvällen* become *kväll*, *poliser* becomes
   *polis*; words of time (*kväll*, *helg*, *natt*: :data:`TIME_STEMS`) are dropped, as
   they say when, not what. A short list of domain words (:data:`CONCEPTS`) maps a few
   everyday synonyms onto one word (*lampa*, *gatlykta*, *ljus* → *belysning*); it is
   data, replaceable by the municipality.
2. **Compare** answers by TF-IDF over character 3–5-grams of the normalised words and
   over the words themselves (scikit-learn's ``TfidfVectorizer``), so that compounds share
   weight with their parts (*polisnärvaro* with *polis*, *gatubelysning* with
   *belysning*) and a typo costs a few n-grams, not the word.
3. **Group** by agglomerative clustering with average linkage on cosine distance
   (scikit-learn's ``AgglomerativeClustering``), cut at :data:`DISTANCE_THRESHOLD`: two
   groups merge while their answers are, on average, more alike than that. Answers equal
   after normalisation are clustered once and counted with their weight.
4. **Quote**: a theme's label is its most frequent wording; its quotes are up to two
   distinct wordings nearest the theme's centre, masked with
   :func:`~geoservice.core.privacy.masking.mask_personal_data`. Answers a moderator hid from
   the council still count in their theme but are never quoted.

What it cannot do: group true synonyms that share no word part and are not in
:data:`CONCEPTS` ("fler nattvandrare" and "vuxna som går runt på natten" stay apart).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from stop_words import get_stop_words

from geoservice.core.privacy.masking import mask_personal_data

__all__ = [
    "CONCEPTS",
    "DISTANCE_THRESHOLD",
    "TIME_STEMS",
    "MAX_DISTINCT",
    "Theme",
    "group_suggestions",
    "normalise_suggestion",
    "themes_by_category",
]

DISTANCE_THRESHOLD = 0.9
"""Cosine distance at which the clustering stops merging (0 = equal, 1 = nothing shared)."""

MAX_DISTINCT = 4000
"""Distinct normalised answers clustered per category; rarer ones beyond it join ``other``."""

CONCEPTS: dict[str, str] = {
    # stem -> concept word (stems of the Snowball Swedish stemmer)
    "lamp": "belysning",
    "gatlamp": "belysning",
    "gatlyktor": "belysning",
    "lykt": "belysning",
    "ljus": "belysning",
    "upplys": "belysning",
    "belys": "belysning",
    "gatubelysning": "belysning",
    "polisnärvaro": "polis",
    "polisen": "polis",
    "synlig": "närvaro",
    "väktar": "vakt",
    "ordningsvakt": "vakt",
    "kamer": "kamerabevakning",
    "övervakningskamer": "kamerabevakning",
    "kameraövervakning": "kamerabevakning",
    "bevakning": "kamerabevakning",
    "ungdom": "ung",
    "ungdomar": "ung",
    "unga": "ung",
    "farthind": "fart",
    "hastig": "fart",
    "hast": "fart",
    "fartgräns": "fart",
    "hastighet": "fart",
    "fortkörning": "fart",
    "skräp": "skräp",
    "nedskräpning": "skräp",
    "papperskorg": "skräp",
    "soptunnor": "skräp",
    "sly": "röj",
    "busk": "röj",
    "växtlig": "röj",
    "klott": "klotter",
    "graffiti": "klotter",
}
"""A few everyday synonyms mapped onto one concept word; stems on the left."""

# The stop-word list drops a few words that name a subject rather than fill a sentence.
_KEEP = {"dag", "dagar", "dagarna", "dagen", "ute", "sent"}
# ...and a few words that frame a suggestion without saying what it is.
_FRAMING = {
    "tycker",
    "tycka",
    "tror",
    "borde",
    "bör",
    "behöver",
    "behövs",
    "förslag",
    "snälla",
    "önskar",
    "vill",
    "skulle",
}
# When something should happen is a qualifier, not the theme: "fler vuxna ute på kvällarna"
# and "fritidsaktiviteter på kvällstid" ask for different things. Stems of the Snowball
# Swedish stemmer; dropped unless nothing else is left.
TIME_STEMS = frozenset(
    {
        "kväll",
        "kvällstid",
        "kvällar",
        "helg",
        "helgkväll",
        "helgkvällar",
        "helgnätt",
        "natt",
        "nätt",
        "nattetid",
        "dag",
        "dagtid",
        "vardag",
        "morgon",
        "morgn",
        "eftermiddag",
    }
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Bracketed tags are not what a resident asked for: "[Demo]" on demo data, and the masks
# "[telefonnummer dolt]" that replace personal data.
_TAG = re.compile(r"\[[^\]]{0,40}\]")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return (frozenset(get_stop_words("swedish")) - _KEEP) | _FRAMING


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("swedish")


def normalise_suggestion(text: str) -> str:
    """Return the answer as the stems of its content words, in their order.

    Parameters
    ----------
    text : str
        A resident's answer to the dialogue question.

    Returns
    -------
    str
        Lower-case stems separated by single spaces, stop words and bracketed tags
        (``[Demo]``, ``[e-post dold]``) removed and the words of :data:`CONCEPTS` replaced
        by their concept; ``""`` when nothing is left.
    """
    if not isinstance(text, str):
        raise ValueError(f"'text' should be a str, got {type(text)}")
    stop = _stop_words()
    plain = _TAG.sub(" ", text.lower())
    words = [w for w in _WORD.findall(plain) if w not in stop and len(w) > 1]
    stems = [CONCEPTS.get(s, s) for s in _stemmer().stemWords(words)]
    content = [s for s in stems if s not in TIME_STEMS]
    return " ".join(content or stems)


@dataclass(frozen=True)
class Theme:
    """One theme of suggestions in one category.

    Attributes
    ----------
    category : str
        Category code of the concerns the answers came with.
    label : str
        The theme's most frequent wording, masked.
    count : int
        Answers in the theme, hidden ones included.
    quotes : tuple of str
        Up to two distinct masked wordings nearest the theme's centre, never one a
        moderator hid; empty when every answer of the theme is hidden.
    members : tuple of int
        Positions of the theme's answers in the input, for tests and moderation.
    """

    category: str
    label: str
    count: int
    quotes: tuple[str, ...]
    members: tuple[int, ...]


def _cluster(keys: list[str], threshold: float) -> np.ndarray:
    """Cluster labels of the distinct normalised answers ``keys``."""
    if len(keys) == 1:
        return np.zeros(1, dtype=int)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True)
    # Word parts for compounds and typos, whole words so that a shared concept counts
    # as much as it reads; each block has unit length, so both weigh the same.
    matrix = np.hstack(
        [chars.fit_transform(keys).toarray(), words.fit_transform(keys).toarray()]
    ) / np.sqrt(2.0)
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, metric="cosine", linkage="average"
    )
    # Rows of zeros (no n-gram) have no cosine distance; give them a tiny private axis.
    empty = ~matrix.any(axis=1)
    if empty.any():
        matrix = np.hstack([matrix, np.diag(empty.astype(float))[:, empty]])
    return model.fit_predict(matrix)


def group_suggestions(
    texts: Sequence[str],
    *,
    category: str = "",
    hidden: Sequence[bool] | None = None,
    threshold: float = DISTANCE_THRESHOLD,
    quotes: int = 2,
) -> list[Theme]:
    """Group one category's answers into themes, largest first.

    Parameters
    ----------
    texts : sequence of str
        The answers, as written.
    category : str, optional
        Category code stored on each theme.
    hidden : sequence of bool, optional
        True for an answer a moderator hid from the council: counted, never quoted.
    threshold : float, default :data:`DISTANCE_THRESHOLD`
        Cosine distance in ``(0, 1]`` at which groups stop merging.
    quotes : int, default 2
        Most quotes per theme.

    Returns
    -------
    list of Theme
        Every answer in exactly one theme; ordered by count, then label.
    """
    texts = list(texts)
    hidden_flags = [False] * len(texts) if hidden is None else [bool(h) for h in hidden]
    if len(hidden_flags) != len(texts):
        raise ValueError(f"'hidden' should have {len(texts)} values, got {len(hidden_flags)}")
    if not 0 < threshold <= 1:
        raise ValueError(f"'threshold' should be in (0, 1], got {threshold!r}")
    if not texts:
        return []
    normalised = [normalise_suggestion(str(t)) for t in texts]
    # Answers with no content word left ("Bra!") are keyed by their plain lower-case text.
    keys_of = [
        n or " ".join(_WORD.findall(str(t).lower())) or "?"
        for n, t in zip(normalised, texts, strict=True)
    ]
    counts = Counter(keys_of)
    distinct = [key for key, _ in counts.most_common(MAX_DISTINCT)]
    index = {key: i for i, key in enumerate(distinct)}
    labels = _cluster(distinct, threshold)
    rest = labels.max() + 1 if labels.size else 0
    member_labels = [int(labels[index[k]]) if k in index else rest for k in keys_of]

    wording_of = [_wording(str(t)) for t in texts]
    key_of_wording = dict(zip(wording_of, keys_of, strict=True))
    themes: list[Theme] = []
    for label in sorted(set(member_labels)):
        members = [i for i, m in enumerate(member_labels) if m == label]
        wordings = Counter(wording_of[i] for i in members)
        visible = Counter(wording_of[i] for i in members if not hidden_flags[i])
        # Nearest the centre: the wordings whose normalised form is the theme's most
        # frequent; ties by how often the wording itself was written, then alphabetically.
        key_weight = Counter(keys_of[i] for i in members)
        ranked = sorted(visible, key=lambda w: (-key_weight[key_of_wording[w]], -visible[w], w))
        chosen = _pick_quotes(ranked, key_of_wording, quotes)
        themes.append(
            Theme(
                category=category,
                label=mask_personal_data(wordings.most_common(1)[0][0]) or "",
                count=len(members),
                quotes=chosen,
                members=tuple(members),
            )
        )
    themes.sort(key=lambda t: (-t.count, t.label))
    return themes


def _wording(text: str) -> str:
    """The answer as one would quote it: trimmed, trailing marks dropped, capitalised.

    Wordings that differ only in case or final punctuation ("mer polis!!", "MER POLIS")
    count as one, so the label is the most frequent way of saying it.
    """
    text = " ".join(text.split()).rstrip(" .!?,;:")
    if text.isupper() or text.islower():
        text = text.lower()
    return text[:1].upper() + text[1:]


def _pick_quotes(ranked: list[str], key_of: dict[str, str], most: int) -> tuple[str, ...]:
    """The first wordings of ``ranked``, preferring ones that say it differently."""
    chosen: list[str] = []
    keys: set[str] = set()
    for second_pass in (False, True):
        for wording in ranked:
            masked = mask_personal_data(wording) or ""
            if len(chosen) == most or masked in chosen:
                continue
            if not second_pass and key_of[wording] in keys:
                continue
            keys.add(key_of[wording])
            chosen.append(masked)
    return tuple(chosen)


def themes_by_category(
    texts: Sequence[str],
    categories: Sequence[str],
    *,
    hidden: Sequence[bool] | None = None,
    codes: Sequence[str] | None = None,
    threshold: float = DISTANCE_THRESHOLD,
) -> dict[str, list[Theme]]:
    """Group answers into themes within each category.

    Parameters
    ----------
    texts, categories : sequence of str
        The answers and the category code of the concern each came with.
    hidden : sequence of bool, optional
        See :func:`group_suggestions`.
    codes : sequence of str, optional
        Categories in the order wanted; categories with no answer are left out. Default:
        in order of first appearance.
    threshold : float, default :data:`DISTANCE_THRESHOLD`

    Returns
    -------
    dict of str to list of Theme
        Category code to its themes, largest first; ``members`` index ``texts``.
    """
    texts, categories = list(texts), list(categories)
    if len(texts) != len(categories):
        raise ValueError(
            f"'texts' and 'categories' should be as long, got {len(texts)} and {len(categories)}"
        )
    hidden_flags = [False] * len(texts) if hidden is None else list(hidden)
    order = list(codes) if codes is not None else list(dict.fromkeys(categories))
    out: dict[str, list[Theme]] = {}
    for code in order:
        positions = [i for i, c in enumerate(categories) if c == code]
        if not positions:
            continue
        themes = group_suggestions(
            [texts[i] for i in positions],
            category=code,
            hidden=[hidden_flags[i] for i in positions],
            threshold=threshold,
        )
        out[code] = [
            Theme(t.category, t.label, t.count, t.quotes, tuple(positions[m] for m in t.members))
            for t in themes
        ]
    return out
