"""A dataset's data card: what people state about the data, and the facts curate measures, as Markdown.

The fields follow the questions of *Datasheets for Datasets* (Gebru et al., Communications of the
ACM 64(12), 2021: motivation, composition, collection process, labelling, uses, distribution,
maintenance) and the summary-first layout of *Data Cards* (Pushkarna, Zaldivar and Kjartansson,
FAccT 2022): the statements people write next to the measurements a tool can vouch for, each
marked as which it is. A field nobody has written is shown as not stated, not left out, so a
reader sees what is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curate.errors import InputError
from curate.profile.facts import fact_lines, number
from curate.profile.markdown import escape_inline, escape_prose, table
from curate.profile.profiling import DataProfile

__all__ = ["CARD_FIELDS", "AuditFacts", "DataCard", "card_field", "card_markdown"]

# Field name -> (heading, the question it answers), in the card's order.
CARD_FIELDS: dict[str, tuple[str, str]] = {
    "summary": ("Summary", "What the dataset is, and what its labels mean."),
    "provenance": ("Provenance", "Where the data comes from: sources, owners, time span, earlier versions."),
    "collection": ("Collection method", "How the rows were gathered and sampled, and what was filtered out."),
    "annotators": ("Annotators", "Who labelled the rows: how many, their expertise, how they were recruited and paid."),
    "guidelines": ("Annotation guidelines", "The instructions the annotators followed, or where to find them."),
    "license": ("License", "The terms under which the data may be used and shared."),
    "intended_use": ("Intended use", "The tasks and settings the dataset was made for."),
    "out_of_scope": ("Out-of-scope use", "Uses the dataset is not fit for."),
    "limitations": ("Known limitations", "Known gaps, biases, label noise and errors."),
    "contact": ("Contact", "Who maintains the dataset and this card."),
}


def card_field(name: str) -> str:
    """The card field ``name`` means (``intended-use`` and ``Intended_Use`` are ``intended_use``).

    Parameters
    ----------
    name : str
        A field name as a person types it.

    Returns
    -------
    str
        The field's key in :data:`CARD_FIELDS`.

    Raises
    ------
    InputError
        When no field has that name; the message lists the fields.

    Examples
    --------
    >>> card_field("Intended-Use")
    'intended_use'
    """
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in CARD_FIELDS:
        raise InputError(f"the data card has no field {name!r}; its fields are: {', '.join(CARD_FIELDS)}")
    return key


@dataclass(frozen=True)
class DataCard:
    """The fields people have written for one dataset.

    Attributes
    ----------
    dataset : str
        The dataset's name.
    fields : dict of str to str
        Field name (a key of :data:`CARD_FIELDS`) to its text, for the fields that are set.
    updated : dict of str to str
        When each set field was last written, ISO 8601 in UTC.
    """

    dataset: str
    fields: dict[str, str] = field(default_factory=dict)
    updated: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The card as JSON-ready values, every field listed (None where not set).

        Returns
        -------
        dict
            ``dataset``, ``fields`` (every field name to its text or None) and ``updated``.
        """
        return {"dataset": self.dataset, "fields": {name: self.fields.get(name) for name in CARD_FIELDS},
                "updated": dict(self.updated)}


@dataclass(frozen=True)
class AuditFacts:
    """What the latest audit of the dataset found, for the card.

    Attributes
    ----------
    run_id : int
        The run.
    version : int
        The dataset version it audited.
    finished_at : str
        When it finished, ISO 8601 in UTC.
    flagged : dict of str to int
        Flags per issue.
    rows_with_any_issue : int or None
        Rows with at least one flag.
    accuracy : float or None
        Out-of-fold accuracy of the classifier.
    """

    run_id: int
    version: int
    finished_at: str
    flagged: dict[str, int]
    rows_with_any_issue: int | None = None
    accuracy: float | None = None


def _columns_table(profile: DataProfile) -> str:
    rows = []
    for column in profile.columns:
        if (summary := column.values_summary()) is not None:
            values = summary
        elif column.numbers is not None:
            values = (f"{number(column.numbers.min)} to {number(column.numbers.max)}, "
                      f"median {number(column.numbers.median)}")
        else:
            values = ", ".join(f"{value} ({count:,})" for value, count in column.top[:3])
        rows.append([column.name, column.role, column.kind, f"{column.missing:,}", f"{column.nan:,}",
                     f"{column.infinite:,}", f"{column.distinct:,}", values])
    return table(["column", "role", "kind", "missing", "NaN", "infinite", "distinct", "values"], rows)


def _measured(profile: DataProfile, version: str) -> list[str]:
    lines = ["## Measured facts", "",
             f"Measured by curate on {escape_inline(version)} ({escape_inline(profile.source)}). These are "
             "counts, not statements: regenerate the card after the data changes.", "",
             f"- **Rows:** {profile.rows:,} ({escape_inline(profile.modality)} input"
             + (f", read as {escape_inline(profile.encoding)}" if profile.encoding else "") + ")"]
    lines.extend(f"- **{escape_inline(topic.capitalize())}:** {escape_inline(sentence, limit=2000)}"
                 for topic, sentence in fact_lines(profile))
    balance = profile.classes
    lines += ["", "### Classes", "",
              table(["class", "rows", "share"], [[c, f"{n:,}", f"{100 * balance.shares[c]:.1f} %"]
                                                 for c, n in balance.counts.items()]),
              "", "### Columns", "", _columns_table(profile)]
    return lines


def _audit(audit: AuditFacts | None) -> list[str]:
    if audit is None:
        return ["## Latest audit", "", "_No audit yet: `curate audit FILE` finds label errors, copies and "
                "outliers._"]
    said = f"Run {audit.run_id} of version {audit.version}, finished {escape_inline(audit.finished_at)}"
    if audit.rows_with_any_issue is not None:
        said += f": {audit.rows_with_any_issue:,} rows with any issue"
    if audit.accuracy is not None:
        said += f"; out-of-fold accuracy {audit.accuracy:.3f}"
    return ["## Latest audit", "", said + ".", "",
            table(["issue", "flagged"], [[issue, f"{n:,}"] for issue, n in audit.flagged.items()])]


def card_markdown(card: DataCard, profile: DataProfile, *, version: str, audit: AuditFacts | None = None,
                  generated_by: str = "curate") -> str:
    """Render the card as Markdown: the written fields, then the measured facts and the latest audit.

    Values from the data (class and column names, row ids, top values) are escaped so that they
    render as text and cannot inject Markdown or HTML (:func:`~curate.profile.markdown.escape_inline`);
    the fields people wrote keep their Markdown, with raw HTML shown as text
    (:func:`~curate.profile.markdown.escape_prose`).

    Parameters
    ----------
    card : DataCard
        The written fields.
    profile : DataProfile
        The dataset's profile.
    version : str
        Which data was measured, for people (``version 2 of reviews``).
    audit : AuditFacts, optional
        The latest audit's flag counts, when there is one.
    generated_by : str, default "curate"
        The tool and version named in the card's first line.

    Returns
    -------
    str
        The Markdown document, ending with a newline.
    """
    lines = [f"# Data card: {escape_inline(card.dataset)}", "",
             f"_Made with {escape_inline(generated_by)}, after Datasheets for Datasets (Gebru et al., 2021) and "
             "Data Cards (Pushkarna et al., 2022). Sections from Summary to Contact are written by people; the "
             "measured facts and the audit are computed._", ""]
    for name, (heading, question) in CARD_FIELDS.items():
        lines += [f"## {heading}", ""]
        value = card.fields.get(name)
        lines.append(escape_prose(value) if value else f"_Not stated. {question} (`curate card set {name} TEXT`)_")
        lines.append("")
    lines += _measured(profile, version)
    lines.append("")
    lines += _audit(audit)
    return "\n".join(lines) + "\n"
