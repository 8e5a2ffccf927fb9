"""A profile said in plain sentences, one per topic: what the CLI prints and a data card states."""

from __future__ import annotations

from curate.modalities.language import language_name
from curate.profile.profiling import DataProfile
from curate.profile.stats import Distribution
from curate.profile.text import TextProfile

__all__ = ["fact_lines", "number"]

# Languages, formats or modes named in a line; the rest are counted together.
NAMED = 5
_PROBLEM_NAMES = {"replacement_char": "replacement characters (U+FFFD)", "mojibake": "mojibake",
                  "control_chars": "control characters"}


def number(value: float) -> str:
    """A number for people: whole numbers without decimals, others with up to 2 (``1,234``, ``12.5``).

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    str
        The number with thousands separators.

    Examples
    --------
    >>> number(1234.0), number(0.125)
    ('1,234', '0.12')
    """
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _spread(summary: Distribution | None, unit: str) -> str:
    if summary is None:
        return "none"
    return (f"median {number(summary.median)} {unit}, mean {number(summary.mean)}, "
            f"range {number(summary.min)}-{number(summary.max)}, 95 % up to {number(summary.p95)}")


def _percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def _shares(shares: dict[str, float], name: bool = False) -> str:
    # A share that rounds to 0.0 % says nothing but a name; it joins "other".
    named = [(k, v) for k, v in list(shares.items())[:NAMED] if v >= 0.0005]
    said = [f"{language_name(k) if name else k} {_percent(v)}" for k, v in named]
    rest = sum(shares.values()) - sum(v for _, v in named)
    if rest > 0.0005:
        said.append(f"other {_percent(rest)}")
    return ", ".join(said)


def _counts(counts: dict[str, int]) -> str:
    named = [f"{k} {v:,}" for k, v in list(counts.items())[:NAMED]]
    rest = sum(list(counts.values())[NAMED:])
    return ", ".join(named + ([f"other {rest:,}"] if rest else []))


def _text_lines(text: TextProfile) -> list[tuple[str, str]]:
    lines = [("text length", f"{_spread(text.characters, 'characters')}; {text.empty:,} empty")]
    tokens = text.tokens
    if tokens is None:
        lines.append(("model tokens", f"not counted: {text.tokens_unavailable}"))
    else:
        cut = (f"a {tokens.max_seq_length}-token window ({tokens.window} word pieces and [CLS], [SEP]) would cut "
               f"{_plural(tokens.truncated, 'text')} ({_percent(tokens.truncated_share)})")
        if tokens.truncated:
            cut += (f", {tokens.tokens_cut:,} word pieces ({_percent(tokens.tokens_cut_share)} of all), "
                    f"at most {tokens.most_cut:,} of one text")
        unknown = f"; {_percent(tokens.unknown_share)} of word pieces unknown to it" if tokens.unknown_share else ""
        model = tokens.model.rsplit("/", 1)[-1]
        spread = _spread(tokens.lengths, "word pieces")
        lines.append(("model tokens", f"{spread} ({model}'s tokenizer); {cut}{unknown}"))
    sampled = f" (estimated from {text.languages_sampled:,} texts)" if text.languages_sampled else ""
    languages = _shares(text.language_shares, name=True) or "no text has letters"
    lines.append(("languages", f"{languages}{sampled}; scripts of letters: {_shares(text.scripts)}; "
                               f"{text.mixed_script_texts:,} texts mix Hangul and Latin"))
    found = {name: n for name, n in text.encoding_problems.items() if n}
    problems = "; ".join(f"{_PROBLEM_NAMES[name]} in {n:,} texts (rows {', '.join(text.encoding_examples[name])}"
                         f"{', ...' if n > len(text.encoding_examples[name]) else ''})" for name, n in found.items())
    lines.append(("encoding", problems or "no replacement characters, mojibake or control characters"))
    return lines


def fact_lines(profile: DataProfile) -> list[tuple[str, str]]:
    """The profile's facts beyond the column table, as (topic, sentence) pairs, in plain text.

    Parameters
    ----------
    profile : DataProfile
        The profile.

    Returns
    -------
    list of tuple of (str, str)
        Topics such as ``classes``, ``copies``, ``text length``, ``model tokens``, ``languages``,
        ``encoding``, ``pictures``; each sentence is plain text (values from the data are in it as
        they are: escape them for the medium).
    """
    balance = profile.classes
    lines = [("classes", f"{len(balance.counts)}: " + ", ".join(
        f"{c} {n:,} ({_percent(balance.shares[c])})" for c, n in balance.counts.items())
        + (f"; imbalance ratio {number(balance.imbalance_ratio)} (largest {balance.majority} / smallest "
           f"{balance.minority})" if balance.imbalance_ratio > 1 else "; balanced (imbalance ratio 1)"))]
    copies = profile.duplicates
    said = (f"{_plural(copies.groups, 'group')} of exact copies holding {_plural(copies.rows_in_groups, 'row')} "
            f"({_plural(copies.extra_copies, 'extra row')}); {_plural(copies.conflicting_groups, 'group')} with "
            f"different labels ({_plural(copies.conflicting_rows, 'row')})")
    if copies.conflicting_examples:
        first = copies.conflicting_examples[0]
        said += ", e.g. rows " + ", ".join(f"{rid} ({label})" for rid, label in first)
    lines.append(("copies", said))
    if profile.text is not None:
        lines.extend(_text_lines(profile.text))
    if profile.images is not None:
        images = profile.images
        unreadable = f"; unreadable: {_counts(images.unreadable)}" if images.unreadable else "; all readable"
        lines.append(("pictures", f"formats {_counts(images.formats)}; modes {_counts(images.modes)}{unreadable}"))
        lines.append(("picture size", f"width {_spread(images.width, 'px')}; height {_spread(images.height, 'px')}"))
        lines.append(("brightness", _spread(images.brightness, "(0 black, 1 white)")))
    return lines
