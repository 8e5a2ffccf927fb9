"""Render ReportData to HTML with an autoescaping Jinja2 template: dataset text is never markup."""

from __future__ import annotations

import base64

import jinja2
import pandas as pd
from markupsafe import Markup

from curate.core.warnings import AuditWarning
from curate.report import plots
from curate.report.data import PROFILE_UP_TO, ReportData, stated_precision
from curate.report.views import class_quality, describe_details, noise_matrix, score_series
from curate.slices import MEASURES

__all__ = ["picture_uri", "render", "shown_label"]

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("curate.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def shown_label(given: object, current: object) -> str:
    """A row's label as the report shows it: the one the run judged, and the source's too where they differ.

    Parameters
    ----------
    given : object
        The label in the source file.
    current : object
        The label the run judged (reviewers' relabels applied).

    Returns
    -------
    str
        ``current`` alone when both agree, else ``given X, now Y``.

    Examples
    --------
    >>> shown_label("food", "sport")
    'given food, now sport'
    """
    return str(current) if str(given) == str(current) else f"given {given}, now {current}"


def picture_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI, so the report holds its pictures and opens offline.

    Parameters
    ----------
    png : bytes
        A PNG file curate encoded itself (see :meth:`curate.modalities.Modality.row_picture`).

    Returns
    -------
    str
        ``data:image/png;base64,...``: only base64 characters after the comma.
    """
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _grid(data: ReportData, shown: pd.DataFrame) -> list[dict[str, str]]:
    """The shown rows of one issue (its table's) that have a picture: its data URI and a caption's parts."""
    cells = []
    for r in shown.itertuples():
        png = data.pictures.get(str(r.row_id))
        if png is not None:
            cells.append({"row_id": str(r.row_id), "src": picture_uri(png),
                          "label": shown_label(r.given_label, r.current_label),
                          "suggested": "" if pd.isna(r.suggested_label) else str(r.suggested_label)})
    return cells


def _health(data: ReportData, n_classes: int) -> list[tuple[str, str]]:
    """The run's vital signs as (name, value) lines: accuracy beside chance and the majority class."""
    metrics = data.metrics
    lines = [("rows", f"{len(data.labels):,}"), ("classes", f"{n_classes:,}")]
    if isinstance(metrics.get("oof_accuracy"), int | float):
        chance = 1.0 / n_classes if n_classes else 0.0
        majority = metrics.get("majority_rate")
        against = f"chance {chance:.3f}" + (f", majority class {majority:.3f}" if isinstance(majority, int | float)
                                            else "")
        lines.append(("out-of-fold accuracy", f"{metrics['oof_accuracy']:.3f} ({against})"))
    if isinstance(metrics.get("label_evidence_accuracy"), int | float):
        lines.append(("label evidence accuracy", f"{metrics['label_evidence_accuracy']:.3f}"))
    label = data.notes.get("label")
    if isinstance(label, dict) and isinstance(label.get("estimated_noise_rate"), int | float):
        # The confident joint counts only confident disagreements: on NoisyAG-News 5.5 % against a true 19.8 %.
        lines.append(("estimated label noise (confident disagreements only)",
                      f"{100 * label['estimated_noise_rate']:.1f} % of labels"))
    if isinstance(metrics.get("rows_with_any_issue"), int):
        lines.append(("rows with any issue", f"{metrics['rows_with_any_issue']:,}"))
    return lines


def _slices(report: dict | None) -> dict | None:
    """The slice section: reported slices, the tests made, and a chart of every slice's label-error rate."""
    if not report or not report.get("slices"):
        return None
    found = report["slices"]
    # The measure of the most different slice reported (else the label-error rate), so the chart shows the finding.
    reported = sorted((f for f in found if f["significant"]), key=lambda f: -f["difference"])
    measures = {f["measure"] for f in found}
    measure = reported[0]["measure"] if reported else (
        "label_error_rate" if "label_error_rate" in measures else "oof_error_rate")
    shown = sorted((f for f in found if f["measure"] == measure), key=lambda f: -f["rate"])[:25]
    chart = plots.interval_bars([f"{f['column']} = {f['value']}" for f in shown], [f["rate"] for f in shown],
                                [f["interval"][0] for f in shown], [f["interval"][1] for f in shown],
                                reference=report["overall"].get(measure), marked=[f["significant"] for f in shown],
                                title=f"{MEASURES[measure]} per slice", xlabel=f"{MEASURES[measure]} (95 % interval)")
    return {"reported": [f for f in found if f["significant"]], "tests": report["tests"],
            "groupings": report["groupings"], "overall": report["overall"], "chart": Markup(chart),
            "measure": MEASURES[measure], "skipped": report.get("skipped", {})}


def _data_map(data: ReportData) -> Markup | None:
    """The map of the rows coloured by the label the run judged, label flags ringed; None without a map."""
    if data.data_map is None or data.data_map.empty:
        return None
    rows = data.scores.drop_duplicates("position").set_index("position")["current_label"].astype(str)
    mapped = data.data_map[data.data_map["position"].isin(rows.index)]
    label = data.scores[(data.scores["issue"] == "label") & data.scores["flagged"]]
    flagged = mapped["position"].isin(label["position"]).to_numpy()
    return Markup(plots.scatter_map(mapped[["x", "y"]].to_numpy(), rows.loc[mapped["position"]].tolist(), flagged,
                                    title="the rows on the first two principal components of the features, "
                                          "coloured by label, label flags ringed"))


def render(data: ReportData) -> str:
    """Return the report as one HTML document.

    Styles and charts (inline SVG) are in the document, so it opens offline; every value from the
    dataset is HTML-escaped by the template.

    Parameters
    ----------
    data : ReportData
        The run's data, from :func:`curate.report.from_result` or
        :func:`curate.report.from_workspace`.

    Returns
    -------
    str
        The HTML document: the run's warnings (first, with the flags each withheld), class and
        issue charts, flags per issue and class (the class the run judged, reviewers' relabels
        applied), the worst flagged rows of each issue, reviewer
        feedback, metrics and timings. For a dataset with pictures, each issue's worst rows
        also show as a grid of thumbnails captioned with the row id and its labels.
    """
    class_counts = data.labels.value_counts()
    scores = data.scores
    flagged = scores[scores["flagged"]]
    issues = list(data.notes)
    counts = flagged.groupby("issue").size()
    # Flags count under the label the run judged: a row reviewers relabelled was flagged as its new class.
    by_class = (flagged.groupby(["issue", "current_label"]).size().unstack(fill_value=0)
                if not flagged.empty else None)
    classes = [str(c) for c in class_counts.index]
    table = []
    for issue in issues:
        row = by_class.loc[issue] if by_class is not None and issue in by_class.index else None
        table.append((issue, int(counts.get(issue, 0)),
                      [int(row.get(c, 0)) if row is not None else 0 for c in classes]))
    worst = {}
    grid = {}
    for issue in issues:
        # The table and the thumbnails show the same rows, which the count above them counts.
        part = flagged[flagged["issue"] == issue].head(data.rows_per_issue)
        grid[issue] = _grid(data, part)
        worst[issue] = [
            {"row_id": r.row_id, "score": f"{r.score:.3f}", "label": shown_label(r.given_label, r.current_label),
             "suggested": r.suggested_label or "", "text": data.previews.get(str(r.row_id), ""),
             "details": describe_details(r.details)}
            for r in part.itertuples()
        ]
    audited = scores.drop_duplicates("position")
    relabelled = int((audited["given_label"].astype(str) != audited["current_label"].astype(str)).sum())
    withheld = {issue: int(data.notes[issue].get("withheld_flags", 0)) for issue in issues
                if isinstance(data.notes[issue], dict) and "withheld" in data.notes[issue]}
    # Each detector that states how precise its flags are (the label check does), for flags that stand.
    found = {issue: stated_precision(data.notes[issue], int(counts.get(issue, 0))) for issue in issues}
    stated = {issue: s for issue, s in found.items() if s is not None}
    feedback = {issue: data.notes[issue]["reviewer_feedback"] for issue in issues
                if isinstance(data.notes[issue], dict) and "reviewer_feedback" in data.notes[issue]}
    label_notes = data.notes.get("label", {}) if isinstance(data.notes.get("label"), dict) else {}
    matrix = noise_matrix(label_notes, scores)
    quality = class_quality(data.labels, scores, label_notes) if "label" in data.notes else []
    return _ENV.get_template("report.html").render(
        data=data,
        health=_health(data, len(classes)),
        matrix=matrix,
        matrix_chart=Markup(plots.heatmap(matrix.counts, matrix.classes, matrix.classes,
                                          title="estimated noise matrix: given label against likely true label",
                                          xlabel="likely true label", ylabel="given label",
                                          highlight=matrix.highlighted)) if matrix is not None else None,
        quality=quality,
        histograms=Markup(plots.histograms(score_series(scores, issues), title="score distribution per issue")),
        data_map=_data_map(data),
        flagged_counts={issue: int(counts.get(issue, 0)) for issue in issues},
        warnings=[AuditWarning.from_dict(w) for w in data.metrics.get("warnings") or []],
        withheld=withheld,
        stated=stated,
        feedback=feedback,
        issues=issues,
        n_rows=len(data.labels),
        classes=classes,
        class_chart=Markup(plots.bars(classes, [float(v) for v in class_counts.to_numpy()], title="rows per class")),
        issue_chart=Markup(plots.bars(issues, [int(counts.get(i, 0)) for i in issues], title="rows flagged per issue",
                                      colour=plots.RED)),
        table=table,
        relabelled=relabelled,
        worst=worst,
        grid=grid,
        timings=data.timings,
        metrics={k: v for k, v in data.metrics.items() if not isinstance(v, dict | list) and k != "warnings"},
        slices=_slices(data.metrics.get("slices")),
        disparities=data.metrics.get("disparities") or [],
        measure_names=MEASURES,
        profile_up_to=PROFILE_UP_TO,
    )
