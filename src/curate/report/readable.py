"""A finding's details for people: named facts with formatted values, not the stored JSON."""

from __future__ import annotations

from typing import Any

__all__ = ["readable_details"]

# What each detector's detail keys mean, in words; a key not listed is spelled out from its name.
NAMES: dict[str, str] = {
    "error_prob": "chance the label is wrong",
    "given_prob": "probability of the given label",
    "suggested_prob": "probability of the suggested label",
    "classifier_prob": "classifier's probability of the given label",
    "neighbour_prob": "neighbours' vote for the given label",
    "words_prob": "word model's probability of the given label",
    "ngrams_prob": "n-gram model's probability of the given label",
    "top_classes": "most probable classes",
    "competing": "competing classes",
    "copies": "copies",
    "matches": "matches",
    "similarity": "similarity",
    "knn_distance": "distance to its nearest neighbours",
    "class_count": "rows in its class",
    "even_share": "rows per class if balanced",
    "is_first": "first copy",
}
# The most items of a list written out; long lists of copies would bury the rest.
MAX_ITEMS = 10


def _value(value: Any) -> str:
    """One value in words: numbers below 10 to 3 decimals (larger ones to 1, none when whole), pairs as
    ``name number``, lists comma-separated."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Probabilities and similarities take 3 decimals; sizes ("rows per class if balanced 1000")
        # none or one.
        return f"{value:.1f}".removesuffix(".0") if abs(value) >= 10 else f"{value:.3f}"
    if isinstance(value, dict):
        value = list(value.items())
    if isinstance(value, (list, tuple)):
        shown = [" ".join(_value(v) for v in item) if isinstance(item, (list, tuple)) else _value(item)
                 for item in value[:MAX_ITEMS]]
        more = len(value) - MAX_ITEMS
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
    return "" if value is None else str(value)


def readable_details(details: dict[str, Any]) -> list[tuple[str, str]]:
    """A finding's ``details`` as (what it is, its value) pairs, in the detector's order.

    Parameters
    ----------
    details : dict
        A finding's details, as its detector stored them (numbers, ids, lists, pairs).

    Returns
    -------
    list of (str, str)
        Each key in words (known keys by meaning, others spelled out) and its value as text;
        dataset content stays plain text, for the templates to escape.

    Examples
    --------
    >>> readable_details({"error_prob": 0.58301, "top_classes": [["sport", 0.5666], ["food", 0.2816]]})
    [('chance the label is wrong', '0.583'), ('most probable classes', 'sport 0.567, food 0.282')]
    >>> readable_details({"copies": [f"r{i}" for i in range(12)], "new_key": True})
    [('copies', 'r0, r1, r2, r3, r4, r5, r6, r7, r8, r9 and 2 more'), ('new key', 'yes')]
    """
    return [(NAMES.get(key, key.replace("_", " ")), _value(value)) for key, value in details.items()]
