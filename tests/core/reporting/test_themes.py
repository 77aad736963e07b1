"""Suggestion themes: paraphrases and near-duplicates together, known themes recovered."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import adjusted_rand_score

from geoservice.core.reporting.themes import (
    group_suggestions,
    normalise_suggestion,
    themes_by_category,
)

# Each known theme in several wordings a resident might write (inflections, compounds,
# synonyms, other word order); the generator adds case, punctuation and framing.
KNOWN = {
    "adults": (
        "Fler vuxna ute på kvällarna",
        "Mer vuxna ute på kvällstid",
        "fler vuxna som rör sig ute på kvällarna!",
        "Vuxna behöver synas ute på kvällen",
        "Det behövs fler vuxna ute kvällar och helger",
        "Jag tycker att fler vuxna borde vara ute på kvällarna",
    ),
    "police": (
        "Mer polisnärvaro på helgkvällar",
        "Fler poliser i centrum",
        "Synlig polis på helgerna",
        "Polisen borde patrullera oftare",
        "mer polis",
        "Mer närvaro av polisen i centrum på helgen",
    ),
    "lighting": (
        "Bättre belysning på gångvägen",
        "Byt ut trasiga gatlampor snabbare",
        "Belysning i parken",
        "Mer ljus längs gång- och cykelvägen",
        "Laga lamporna vid gångvägen",
        "Bättre gatubelysning",
    ),
    "youth": (
        "Mer fritidsaktiviteter för unga på kvällstid",
        "Öppna fritidsgården fler kvällar",
        "Aktiviteter för ungdomar på kvällarna",
        "Fler fritidsaktiviteter för ungdomar",
    ),
    "speed": (
        "Farthinder vid skolan",
        "Sänkt hastighet genom samhället",
        "Fler farthinder på Storgatan",
        "Sänk hastigheten vid skolan",
        "Hastighetskontroller på Storgatan",
    ),
}


def generated(seed: int, per_theme: int = 25) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, truth = [], []
    for theme, forms in KNOWN.items():
        for _ in range(per_theme):
            text = rng.choice(forms)
            roll = rng.random()
            text = text.lower() if roll < 0.2 else text.upper() if roll < 0.3 else text
            if rng.random() < 0.3:
                text += rng.choice([".", "!", " tack", "!!", ", tack."])
            if rng.random() < 0.15:
                text = rng.choice(["Jag tycker: ", "Förslag: ", "Snälla, "]) + text
            texts.append(text)
            truth.append(theme)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [truth[i] for i in order]


def labels_of(themes, n: int) -> list[int]:
    found = [-1] * n
    for j, theme in enumerate(themes):
        for m in theme.members:
            assert found[m] == -1, "an answer is in two themes"
            found[m] = j
    assert -1 not in found, "an answer is in no theme"
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_suggestions_fall_into_their_known_themes(seed):
    texts, truth = generated(seed)
    themes = group_suggestions(texts)
    found = labels_of(themes, len(texts))
    # No theme mixes two known themes ...
    for theme in themes:
        assert len({truth[m] for m in theme.members}) == 1, theme
    # ... and each known theme is mostly in one theme of its own.
    for known in KNOWN:
        sizes = sorted(
            (sum(1 for m in t.members if truth[m] == known) for t in themes), reverse=True
        )
        assert sizes[0] >= 0.6 * truth.count(known), (known, sizes)
    assert adjusted_rand_score(truth, found) > 0.85
    assert sum(t.count for t in themes) == len(texts)
    assert [t.count for t in themes] == sorted((t.count for t in themes), reverse=True)


def test_inflections_and_compounds_normalise_to_the_same_words():
    assert normalise_suggestion("Fler vuxna ute på kvällarna") == normalise_suggestion(
        "MER VUXNA UTE PÅ KVÄLLSTID!"
    )
    assert "polis" in normalise_suggestion("Poliser borde synas")
    assert normalise_suggestion("Tack!") == ""
    assert normalise_suggestion("[Demo] Mer polis") == normalise_suggestion("mer polis")


def test_a_shared_tag_does_not_merge_different_suggestions():
    texts = ["[Demo] Mer polisnärvaro på helgkvällar"] * 5 + [
        "[Demo] Mer fritidsaktiviteter för unga på kvällstid"
    ] * 5
    assert [t.count for t in group_suggestions(texts)] == [5, 5]


def test_ten_equal_answers_are_one_theme_with_one_label_and_quote():
    texts = ["Fler vuxna ute på kvällarna"] * 10 + ["fler vuxna ute på kvällarna!"]
    [theme] = group_suggestions(texts, category="drugs")
    assert theme.count == 11 and theme.category == "drugs"
    assert theme.label == "Fler vuxna ute på kvällarna"
    assert theme.quotes == ("Fler vuxna ute på kvällarna",)


def test_quotes_are_masked_and_hidden_answers_are_counted_but_never_quoted():
    texts = [
        "Mer belysning, ring mig 070-765 43 21",
        "Bättre belysning i parken",
        "Belysning vid stationen, mejla anna@example.se",
    ]
    [theme] = group_suggestions(texts, hidden=[False, True, False])
    assert theme.count == 3
    joined = " ".join(theme.quotes) + theme.label
    assert "070-765" not in joined and "anna@example.se" not in joined
    assert "Bättre belysning i parken" not in theme.quotes
    assert len(theme.quotes) == 2
    [all_hidden] = group_suggestions(texts[:1], hidden=[True])
    assert all_hidden.quotes == () and all_hidden.count == 1


def test_themes_per_category_keep_categories_apart_and_index_the_input():
    texts = ["Mer polis", "Mer polis", "Bättre belysning", "Mer polis"]
    cats = ["drugs", "drugs", "lighting", "lighting"]
    out = themes_by_category(texts, cats, codes=["lighting", "drugs", "theft"])
    assert list(out) == ["lighting", "drugs"]
    assert [t.count for t in out["drugs"]] == [2]
    assert sorted(m for t in out["lighting"] for m in t.members) == [2, 3]


def test_bad_input_is_refused_with_a_message():
    assert group_suggestions([]) == []
    with pytest.raises(ValueError, match="hidden"):
        group_suggestions(["a"], hidden=[True, False])
    with pytest.raises(ValueError, match="threshold"):
        group_suggestions(["a"], threshold=0)
    with pytest.raises(ValueError, match="as long"):
        themes_by_category(["a"], [])
