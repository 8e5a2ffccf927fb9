"""How the CLI shows results: summary tables, run lists, report files. Presentation only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from curate.core.files import write_atomically
from curate.core.warnings import AuditWarning
from curate.report.data import stated_precision

if TYPE_CHECKING:
    from curate.annotators import Agreement
    from curate.audit import AuditResult
    from curate.compare import RunComparison
    from curate.store import RunRecord

__all__ = ["print_agreement", "print_comparison", "print_log", "print_run_configs", "print_runs", "print_summary",
           "print_table", "print_warning_line", "warning_line", "withheld_marker", "write_report"]

_ONE_LINE = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def print_summary(console: Any, result: AuditResult) -> None:
    """Print an audit's summary: a table of flags per issue, then a line of facts about the run.

    The facts are the rows with any issue, the out-of-fold accuracy (when a classifier was fitted)
    and the run time; a further line says how many flags reviewers' feedback withdrew, if any; then
    one line per run warning, naming the flags it withheld.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    result : AuditResult
        The audit to summarise.
    """
    from rich.markup import escape
    from rich.table import Table

    metrics = result.metrics
    title = (f"{result.dataset.name}: {result.dataset.n_rows} rows, {len(result.dataset.classes)} classes"
             + (f", run {result.run_id}" if result.run_id is not None else ""))
    table = Table(title=title, title_justify="left")
    table.add_column("issue")
    table.add_column("flagged", justify="right")
    table.add_column("share", justify="right")
    table.add_column("what it means")
    for issue, flagged, share, description in result.summary.itertuples(index=False, name=None):
        table.add_row(str(issue), withheld_marker(flagged, result.notes.get(issue)), f"{100 * float(share):.2f} %",
                      str(description))
    console.print(table)
    facts = [f"rows with any issue: {metrics.get('rows_with_any_issue', 0)}"]
    if "oof_accuracy" in metrics:
        # The flags rest on the label evidence (the classifier mixed with the other views), which can
        # read the labels much better or worse than the classifier alone: both are shown.
        evidence = metrics.get("label_evidence_accuracy")
        accuracy = (f"classifier {metrics['oof_accuracy']:.3f}, label evidence {evidence:.3f}"
                    if isinstance(evidence, float) else f"{metrics['oof_accuracy']:.3f}")
        facts.append(f"out-of-fold accuracy: {accuracy} ({metrics.get('folds')} folds)")
    resumed = metrics.get("resumed_stages") or []
    facts.append(f"time: {result.timings.get('total', 0):.1f} s"
                 + (f" (resumed: {len(resumed)} finished stage(s) of an interrupted run taken up)" if resumed else ""))
    console.print(" · ".join(facts))
    stated = stated_precision(result.notes.get("label"), int(metrics.get("flagged", {}).get("label", 0)))
    verified = (result.notes.get("label") or {}).get("verified") or {}
    if stated is not None and verified.get("calibrated"):
        interval = verified.get("estimated_precision_interval")
        console.print(f"label flags: estimated precision {stated.precision:.2f}"
                      + (f" (90 % interval {interval[0]:.2f}-{interval[1]:.2f})" if interval else "")
                      + f": about {_expected(stated.expected_true, stated.flagged)} of the {stated.flagged} are "
                      "real errors, learned from "
                      f"{verified['rows']} verified labels ({verified['wrong']} wrong); of the "
                      f"{verified['rule_flags']} checked rows the evidence alone flags, {verified['rule_flags_right']} "
                      "had a wrong label", soft_wrap=True)
    elif stated is not None:
        noise = result.notes["label"].get("estimated_noise_rate")
        # Flags the noise model alone would not make rest on every view naming the same other class:
        # said, so that "0.0 % noise" beside standing flags is no riddle.
        consensus = int(result.notes["label"].get("consensus_flags", 0) or 0)
        console.print(f"label flags: estimated precision {stated.precision:.2f} (about "
                      f"{_expected(stated.expected_true, stated.flagged)} "
                      f"of the {stated.flagged} are real errors, judged by the evidence and the estimated label noise"
                      + (f": {noise:.1%} of labels" if isinstance(noise, float) else "")
                      + (f"; {consensus} rest only on every view naming the same other class" if consensus else "")
                      + ("; too few checked labels to learn from (see the warning)" if verified
                         else "; unverified: --verified with labels checked on a random sample measures it")
                      + ")", soft_wrap=True)
    slices = [f for f in (metrics.get("slices") or {}).get("slices", []) if f["significant"]]
    for f in sorted(slices, key=lambda f: -f["difference"])[:5]:
        what = "rows flagged as label errors" if f["measure"] == "label_error_rate" else "out-of-fold errors"
        console.print(escape(f"slice {f['column']} = {f['value']} ({f['rows']} rows): {f['rate']:.1%} {what} "
                             f"against {f['rest_rate']:.1%} in the rest (adjusted p {f['p_adjusted']:.2g})"),
                      soft_wrap=True)
    feedback = metrics.get("reviewer_feedback") or {}
    if feedback.get("unflagged"):
        withdrawn = ", ".join(f"{issue} {n}" for issue, n in feedback["unflagged"].items())
        console.print(f"reviewer feedback: {sum(feedback['unflagged'].values())} flag(s) withdrawn ({withdrawn}) "
                      f"after {feedback['decisions']} decision(s): rows reviewers kept, and flags of classes they "
                      "mostly rejected (the report says which)", soft_wrap=True)
    for warning in result.warnings:
        print_warning_line(console, warning_line(warning))


def _expected(expected: float, flagged: int) -> str:
    """An expected count of real errors among ``flagged``: with a decimal under 10 flags ("2.6 of the 3")."""
    return f"{expected:.1f}" if flagged < 10 else f"{expected:.0f}"


def print_warning_line(console: Any, line: str) -> None:
    """Print ``line`` as a warning, as the audit summary shows its run warnings.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    line : str
        The warning, plain text (markup in it is shown as written).
    """
    from rich.markup import escape

    console.print(f"[bold yellow]warning[/]: {escape(line)}", soft_wrap=True)


def warning_line(warning: AuditWarning) -> str:
    """A run warning as one plain line: its message, advice, and the flags it withheld.

    Parameters
    ----------
    warning : AuditWarning
        The warning.

    Returns
    -------
    str
        :meth:`AuditWarning.line`, then ``[withheld: label, ambiguous]`` when it withheld flags
        (plain text: escape it before printing it as rich markup).

    Examples
    --------
    >>> warning_line(AuditWarning("model_near_chance", "accuracy 0.30", "try more rows", ("label",)))
    '[model_near_chance] accuracy 0.30 - try more rows [withheld: label]'
    """
    withheld = f" [withheld: {', '.join(warning.withheld)}]" if warning.withheld else ""
    return f"[{warning.code}] {warning.line()}{withheld}"


def withheld_marker(flagged: int, notes: dict[str, Any] | None) -> str:
    """The flagged count of an issue as a table shows it: ``0 (12 withheld)`` when a warning withheld its flags.

    Parameters
    ----------
    flagged : int
        Flags the issue kept.
    notes : dict or None
        The issue's notes; ``withheld_flags`` is set when a run warning withheld its flags.

    Returns
    -------
    str
        The count, followed by the withheld count in parentheses when flags were withheld
        (``0 (withheld)`` when the issue had none to withhold).

    Examples
    --------
    >>> withheld_marker(0, {"withheld": ["model_near_chance"], "withheld_flags": 12})
    '0 (12 withheld)'
    """
    if not notes or "withheld" not in notes:
        return str(flagged)
    held = int(notes.get("withheld_flags", 0))
    return f"{flagged} ({held} withheld)" if held else f"{flagged} (withheld)"


def version_label(run: RunRecord, short: bool = False) -> str:
    """Which data a run audited: the imported file's version and the ledger entries applied to it.

    Two runs of one imported file differ when reviewers' decisions came between them, and the
    version a user exports is a point in the ledger (``curate export --version V``), so the import
    number alone ("v1 -> v1") hid what changed.

    Parameters
    ----------
    run : RunRecord
        The run.
    short : bool, default False
        ``1+5`` (for a table column) instead of ``v1, ledger 1..5``.

    Returns
    -------
    str
        The import version alone when no ledger entry was applied (``v1`` or ``1``).
    """
    applied = int(run.params.get("ledger_version") or 0)
    if short:
        return f"{run.version}+{applied}" if applied else str(run.version)
    return f"v{run.version}, ledger 1..{applied}" if applied else f"v{run.version}"


def print_runs(console: Any, runs: list[RunRecord]) -> None:
    """Print a table of runs: id, dataset, version, finish time, rows, flagged rows, accuracy, time, resources, model.

    The version is the imported file's, then ``+N`` when the ledger's entries 1..N were applied
    (see :func:`version_label`).

    The accuracy is the classifier's out of fold (as the summary, the report and ``curate compare`` give
    it), the label evidence's when a run has none. CPU time and peak memory are the auditing process's
    (runs recorded before they were measured show ``-``); features and classifier name what the run used.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    runs : list of RunRecord
        The runs to list, in the order given; ``no runs yet`` when empty.
    """
    if not runs:
        console.print("no runs yet")
        return
    rows = []
    for run in runs:
        metrics = run.metrics
        flagged = metrics.get("rows_with_any_issue", "")
        acc = metrics.get("oof_accuracy", metrics.get("label_evidence_accuracy"))
        cpu, peak = metrics.get("cpu_seconds"), metrics.get("peak_memory_mib")
        features = metrics.get("embedder") or ("your probabilities" if metrics.get("pred_probs") else
                                               run.params.get("features") or "-")
        rows.append([str(run.id), run.dataset, version_label(run, short=True), run.finished_at,
                     str(metrics.get("rows", "")), str(flagged), f"{acc:.3f}" if isinstance(acc, float) else "-",
                     f"{run.timings.get('total', 0):.1f} s", f"{cpu:.0f} s" if isinstance(cpu, int | float) else "-",
                     f"{peak:,.0f} MiB" if isinstance(peak, int | float) else "-", str(features),
                     str(metrics.get("classifier") or "-")])
    print_table(console, ["run", "dataset", "version", "finished", "rows", "flagged", "oof acc.", "time", "CPU",
                          "peak memory", "features", "classifier"], rows)


def print_run_configs(console: Any, runs: list[RunRecord]) -> None:
    """Each run's source, verified-label files, warnings and full configuration (defaults included), as TOML.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    runs : list of RunRecord
        The runs to show; a run recorded before configurations were stored says so.
    """
    for run in runs:
        params = run.params
        console.print(f"\n[bold]run {run.id}[/bold] · {run.dataset} version {run.version} · "
                      f"source {params.get('source')} · modality {params.get('modality')}"
                      + "".join(f" · {key} used: {run.metrics[key]}" for key in ("embedder", "classifier")
                                if key in run.metrics), soft_wrap=True)
        checked = params.get("verified")
        if checked:
            files = ", ".join(checked.get("files") or []) or checked.get("source")
            console.print(f"  verified labels: {checked.get('rows')} rows checked by a person, from {files}",
                          markup=False, highlight=False, soft_wrap=True)
        for warning in run.metrics.get("warnings") or []:
            console.print(f"  warning: {warning_line(AuditWarning.from_dict(warning))}", markup=False,
                          highlight=False, soft_wrap=True)
        config = params.get("config")
        if not config:
            console.print("  configuration: not recorded (the run predates stored run configurations)")
            continue
        console.print(_as_toml(config), markup=False, highlight=False)


def _as_toml(config: dict[str, Any]) -> str:
    lines = [f"{k} = {_toml_value(v)}" for k, v in config.items() if not isinstance(v, dict)]
    for k, v in config.items():
        if isinstance(v, dict) and k != "detectors":
            lines += ["", f"[{k}]", *(f"{a} = {_toml_value(b)}" for a, b in v.items())]
    for name, params in (config.get("detectors") or {}).items():
        lines += ["", f"[detectors.{name}]", *(f"{a} = {_toml_value(b)}" for a, b in params.items())]
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def print_log(console: Any, entries: list[Any]) -> None:
    """Print the ledger as a table: one row per decision, undo entries naming the entry they undo.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    entries : list of DecisionRecord
        The dataset's ledger, in order; a hint to run ``curate review`` when empty.
    """
    if not entries:
        console.print("the ledger is empty: no decisions yet ('curate review' to make some)")
        return
    rows = []
    for e in entries:
        prompt = f"{e.issue} {e.score:.3f}" if e.issue and e.score is not None else (e.issue or "")
        action = f"undo #{e.undoes}" if e.action == "undo" else e.action
        rows.append([str(e.id), e.created_at, e.reviewer, action, e.row_id, e.old_value or "", e.new_value or "",
                     prompt])
    print_table(console, ["version", "time", "reviewer", "action", "row", "old", "new", "prompted by"], rows)


def print_table(console: Any, headers: list[str], rows: list[list[str]]) -> None:
    """A table: drawn with rich on a terminal, else tab-separated lines that nothing cuts short.

    A pipe or a file has no width: rich would fold the table into its default 80 columns and cut
    long values (paths, ids, reasons) with an ellipsis, so a script or ``grep`` reading the output
    would get what no one wrote. Tabs and line breaks inside a value become spaces.

    Parameters
    ----------
    console : rich.console.Console
        Where to print; ``console.is_terminal`` chooses the form.
    headers : list of str
        The column names (the first line of the plain form).
    rows : list of list of str
        The cells, one list per row, as many as ``headers``.
    """
    if not console.is_terminal:
        for cells in [headers, *rows]:
            # Written as is: rich would expand the tabs into spaces.
            console.file.write("\t".join(str(c).translate(_ONE_LINE) for c in cells) + "\n")
        return
    from rich.table import Table

    table = Table()
    for column in headers:
        table.add_column(column)
    for cells in rows:
        table.add_row(*cells)
    console.print(table)


def write_report(html: str, path: Path, *, in_workspace: bool = False) -> Path:
    """Write ``html`` to ``path`` atomically (a half-written report never replaces a good one).

    Parameters
    ----------
    html : str
        The report, written as UTF-8.
    path : pathlib.Path
        The output file.
    in_workspace : bool, default False
        Whether ``path`` is the workspace's own ``reports/`` file: its folder is created; a path
        the user named must be in an existing folder.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        When ``path`` is an existing folder, or (outside the workspace) its folder does not exist.
    """
    return write_atomically(path, lambda partial: partial.write_text(html, encoding="utf-8"), make_folder=in_workspace)


def print_comparison(console: Any, comparison: RunComparison, max_rows: int = 20) -> None:
    """Print what changed between two runs: accuracy, flags per issue, class balance, changed findings.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    comparison : RunComparison
        From :func:`curate.compare.compare_runs`.
    max_rows : int, default 20
        Changed findings listed (-1: all, 0: none).
    """
    from rich.markup import escape

    a, b = comparison.first, comparison.second
    console.print(escape(f"run {a.id} ({a.dataset} {version_label(a)}, {a.finished_at}) -> run {b.id} ({b.dataset} "
                         f"{version_label(b)}, {b.finished_at}): {comparison.relabelled} row(s) relabelled, "
                         f"{comparison.removed_rows} removed between them"), soft_wrap=True)
    for note in comparison.notes:
        console.print(f"[bold yellow]note[/]: {escape(note)}", soft_wrap=True)
    for key, (before, after) in comparison.accuracy.items():
        if before is not None or after is not None:
            shown = [f"{v:.3f}" if v is not None else "-" for v in (before, after)]
            delta = f" ({after - before:+.3f})" if before is not None and after is not None else ""
            name = {"oof_accuracy": "out-of-fold accuracy (classifier)"}.get(key, key.replace("_", " "))
            console.print(f"{name}: {shown[0]} -> {shown[1]}{delta}")
    print_table(console, ["issue", "flagged before", "flagged after", "resolved", "kept by a reviewer",
                          "dropped (row untouched)", "removed", "persisting", "new"],
                [[c.issue, str(c.before), str(c.after), str(c.resolved), str(c.kept), str(c.dropped), str(c.removed),
                  str(c.persisting), str(c.new)] for c in comparison.issues])
    classes = comparison.classes
    print_table(console, ["class", "rows before", "rows after", "change"],
                [[str(r["class"]), str(r["before"]), str(r["after"]), f"{r['change']:+d}"] for r in
                 classes.to_dict(orient="records")])
    rows = comparison.rows if max_rows < 0 else comparison.rows.head(max_rows)
    if len(rows):
        print_table(console, ["row id", "issue", "change", "label before", "label after"],
                    [[str(r["row_id"]), str(r["issue"]), str(r["change"]), str(r["label_before"]),
                      str(r["label_after"])] for r in rows.to_dict(orient="records")])
    if len(rows) < len(comparison.rows):
        console.print(f"{len(rows)} of {len(comparison.rows)} changed findings listed (--rows -1 lists all, "
                      "--format json gives everything)")


def print_agreement(console: Any, found: Agreement, columns: list[str], long: bool = False) -> None:
    """Print the agreement figures with their intervals, per class and per annotator pair.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    found : Agreement
        From :func:`curate.annotators.agreement`.
    columns : list of str
        The annotator columns read (wide layout), or the annotators named in the annotator column.
    long : bool, default False
        Whether the file was in the long layout (one label a line): its annotators are named in a
        column, not columns of their own.
    """
    from rich.markup import escape

    who = "annotators" if long else "annotator columns"
    console.print(escape(f"{found.items:,} items, {found.ratings:,} labels from {found.annotators} {who} "
                         f"({', '.join(columns)})"), soft_wrap=True)

    from curate.annotators.agreement import UNDEFINED

    rows = []
    for name, value in (("raw_agreement", found.raw_agreement), ("fleiss_kappa", found.fleiss_kappa),
                        ("krippendorff_alpha", found.krippendorff_alpha)):
        low, high = found.intervals.get(name, (float("nan"), float("nan")))
        shown = UNDEFINED if value != value else f"{value:.3f}"
        rows.append([name, shown + (f" (95 % interval {low:.3f} to {high:.3f})" if low == low and value == value
                                    else "")])
    print_table(console, ["measure", "value"], rows)
    print_table(console, ["class", "agreement"], [[c, _or_undefined(v)] for c, v in found.per_class.items()])
    if found.pairs:
        print_table(console, ["annotator", "annotator", "items", "agreement", "cohen_kappa"],
                    [[p["first"], p["second"], str(p["items"]), _or_undefined(p["agreement"]),
                      _or_undefined(p["cohen_kappa"])] for p in found.pairs])
        thin = sum(p["items"] < 2 for p in found.pairs)
        if thin:
            console.print(f"{thin} annotator pairs share fewer than two items: their kappa is undefined")


def _or_undefined(value: float) -> str:
    return "undefined" if value != value else f"{value:.3f}"
