"""Labels a person checked on a random sample: the label check learns from them how often its flags are right."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import curate
from curate.cli import main
from curate.errors import ColumnError, DatasetError
from curate.evidence.verified import MIN_VERIFIED_EACH, fit_verified_calibration, sample_looks_random
from curate.store import Workspace

ROWS, CLASSES = 2000, 4


def _model_that_mistakes_hard_rows() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """10 % of labels flipped, and a model sure of another class on 12 % of rows whatever their label:
    the noise model cannot tell its confusions from label noise and overstates its flags' precision."""
    rng = np.random.default_rng(11)
    true = rng.integers(0, CLASSES, ROWS)
    given = true.copy()
    flipped = rng.random(ROWS) < 0.10
    given[flipped] = (true[flipped] + rng.integers(1, CLASSES, flipped.sum())) % CLASSES
    seen = true.copy()
    hard = rng.random(ROWS) < 0.12
    seen[hard] = (true[hard] + rng.integers(1, CLASSES, hard.sum())) % CLASSES
    logits = rng.normal(size=(ROWS, CLASSES)) + 3.0 * np.eye(CLASSES)[seen]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    frame = pd.DataFrame({"text": [f"row {i}" for i in range(ROWS)], "label": [f"c{c}" for c in given]})
    return frame, probs, true, flipped


def _audit(frame: pd.DataFrame, probs: np.ndarray, verified: object = None, **kwargs: object) -> curate.AuditResult:
    return curate.audit(frame, label="label", text="text", pred_probs=probs, detectors=["label"], progress=False,
                        verified=verified, **kwargs)


def _sample(true: np.ndarray, size: int, seed: int = 3) -> pd.DataFrame:
    rows = np.sort(np.random.default_rng(seed).choice(ROWS, size, replace=False))
    return pd.DataFrame({"row_id": rows, "verified_label": [f"c{c}" for c in true[rows]]})


def test_verified_rows_turn_an_overstated_precision_into_a_measured_one() -> None:
    frame, probs, true, flipped = _model_that_mistakes_hard_rows()
    plain = _audit(frame, probs)
    flagged = plain.findings["row_id"].astype(int).to_numpy()
    measured = flipped[flagged].mean()
    stated = plain.notes["label"]["estimated_precision"]
    assert stated - measured > 0.3  # the gap the verified rows are for: 0.96 stated, 0.49 right

    verified = _sample(true, 400)
    result = _audit(frame, probs, verified)
    notes = result.notes["label"]
    found = result.findings.set_index(result.findings["row_id"].astype(int))
    measured = flipped[found.index.to_numpy()].mean()
    assert abs(notes["estimated_precision"] - measured) < 0.15  # from 0.47 without them
    low, high = notes["verified"]["estimated_precision_interval"]  # 90 %: its coverage is measured in bench/
    assert low < notes["estimated_precision"] < high and high - low < 0.3 and measured > low - 0.05
    assert notes["estimated_precision"] == pytest.approx(np.mean([d["error_prob"] for d in found["details"]]), abs=1e-3)
    # the checked rows are settled: wrong ones flagged with the checked class suggested, right ones never
    checked = verified.set_index("row_id")["verified_label"]
    wrong = checked[checked.to_numpy() != frame.loc[checked.index, "label"].to_numpy()]
    assert set(wrong.index) <= set(found.index)
    assert found.loc[wrong.index, "suggested_label"].tolist() == wrong.tolist()
    assert not set(checked.index.difference(wrong.index)) & set(found.index)
    assert [d["verified_label"] for d in found.loc[wrong.index, "details"]] == wrong.tolist()
    assert notes["verified"] | {"estimated_precision_interval": None} == {
        "source": "the verified labels", "rows": 400, "wrong": len(wrong), "calibrated": True,
        "rule_flags": notes["verified"]["rule_flags"], "rule_flags_right": notes["verified"]["rule_flags_right"],
        "wrong_not_flagged_by_rule": notes["verified"]["wrong_not_flagged_by_rule"], "looks_random": True,
        "random_sample_p_value": notes["verified"]["random_sample_p_value"],
        "expected_rule_flags_if_random": notes["verified"]["expected_rule_flags_if_random"],
        "estimated_precision_interval": None}
    assert notes["verified"]["rule_flags_right"] + notes["verified"]["wrong_not_flagged_by_rule"] == len(wrong)
    assert [w.code for w in result.warnings] == []
    assert result.params["verified"] == {"source": "the verified labels", "rows": 400, "files": []}


def test_too_few_wrong_labels_keep_the_noise_models_chances_and_say_so() -> None:
    frame, probs, true, _ = _model_that_mistakes_hard_rows()
    verified = _sample(true, 40)
    wrong = int((verified["verified_label"].to_numpy() != frame.loc[verified["row_id"], "label"].to_numpy()).sum())
    assert wrong < MIN_VERIFIED_EACH
    result = _audit(frame, probs, verified)
    assert result.notes["label"]["verified"]["calibrated"] is False
    assert [(w.code, w.withheld) for w in result.warnings] == [("verified_too_few", ())]
    assert f"{wrong} were wrong" in result.warnings[0].message


def test_rows_picked_from_the_flags_are_called_out_as_not_random() -> None:
    frame, probs, true, _ = _model_that_mistakes_hard_rows()
    plain = _audit(frame, probs)
    chosen = plain.findings["row_id"].astype(int).to_numpy()[:100]
    picked = pd.DataFrame({"row_id": chosen, "verified_label": [f"c{c}" for c in true[chosen]]})
    others = _sample(true, 200, seed=9)
    verified = pd.concat([picked, others[~others["row_id"].isin(chosen)]])
    result = _audit(frame, probs, verified)
    codes = [w.code for w in result.warnings]
    assert codes == ["verified_not_random"]
    assert result.notes["label"]["verified"]["looks_random"] is False


def test_unchecked_rows_are_skipped_and_bad_rows_named_by_line(tmp_path: Path) -> None:
    frame, probs, _, _ = _model_that_mistakes_hard_rows()
    path = tmp_path / "checked.csv"
    path.write_text("row_id,verified_label\n1,c0\n2,\n7,c9\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^checked\.csv, line 4: verified_label 'c9' is not one of the data's "
                                           r"classes \(c0, c1, c2, c3\)$"):
        _audit(frame, probs, path)
    path.write_text("row_id,verified_label\n1,c0\nr5,c1\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^checked\.csv, line 3: row_id 'r5' is not a row of the data"):
        _audit(frame, probs, path)
    path.write_text("row_id,verified_label\n1,c0\n1,c1\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^checked\.csv, line 3: row_id '1' is verified as 'c1' here and as 'c0' "
                                           r"at checked\.csv, line 2$"):
        _audit(frame, probs, path)
    path.write_text("row_id,label\n1,c0\n", encoding="utf-8")
    with pytest.raises(ColumnError, match=r"^checked\.csv: no 'verified_label' column"):
        _audit(frame, probs, path)
    # an empty cell is a row not checked yet; none checked at all is refused before any work
    path.write_text("row_id,verified_label\n1,\n2,\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^checked\.csv: no row has a verified_label filled in"):
        _audit(frame, probs, path)
    # a text that is not the data's: drawn from other data, or the rows reordered since
    path.write_text(f"row_id,text,verified_label\n1,{frame.loc[1, 'text']},c0\n2,row 7,c1\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^checked\.csv, line 3: the text of row_id '2' is not the data's"):
        _audit(frame, probs, path)


def test_verify_sample_then_audit_verified_from_the_command_line(tmp_path: Path) -> None:
    frame, probs, true, _ = _model_that_mistakes_hard_rows()
    data, probs_file = tmp_path / "data.csv", tmp_path / "probs.npy"
    frame.to_csv(data, index=False)
    np.save(probs_file, probs)
    sample = tmp_path / "sample.csv"
    runner = CliRunner()
    drawn = runner.invoke(main, ["verify-sample", str(data), "--label", "label", "--text", "text", "--size", "400",
                                 "--output", str(sample)])
    assert drawn.exit_code == 0, drawn.output
    table = pd.read_csv(sample, keep_default_na=False)
    assert list(table.columns) == ["row_id", "text", "given_label", "verified_label"]
    assert len(table) == 400 and table["row_id"].is_unique and (table["verified_label"] == "").all()
    assert table["given_label"].tolist() == frame.loc[table["row_id"], "label"].tolist()
    again = runner.invoke(main, ["verify-sample", str(data), "--size", "400", "--output", str(sample)])
    assert again.exit_code != 0 and "not overwritten" in again.output
    table["verified_label"] = [f"c{c}" for c in true[table["row_id"]]]
    table.to_csv(sample, index=False)
    workspace = tmp_path / "ws"
    audited = runner.invoke(main, ["audit", str(data), "--label", "label", "--text", "text", "--pred-probs",
                                   str(probs_file), "--detector", "label", "--workspace", str(workspace),
                                   "--verified", str(sample)])
    assert audited.exit_code == 0, audited.output
    assert "learned from 400 verified labels" in audited.output
    assert f"--verified {sample}" in drawn.output and "--label label --text text" in drawn.output
    html = next((workspace / "reports").glob("run-*.html")).read_text(encoding="utf-8")
    assert "learned from 400 verified labels" in html
    runs = runner.invoke(main, ["runs", "--verbose", "--workspace", str(workspace)])
    assert f"verified labels: 400 rows checked by a person, from {sample.resolve()}" in runs.output


def test_a_bad_verified_file_leaves_the_workspace_as_it_was(tmp_path: Path) -> None:
    frame, probs, _, _ = _model_that_mistakes_hard_rows()
    data, probs_file = tmp_path / "data.csv", tmp_path / "probs.npy"
    frame.to_csv(data, index=False)
    np.save(probs_file, probs)
    bad = tmp_path / "checked.csv"
    bad.write_text("row_id,verified_label\n5,c7\n", encoding="utf-8")
    workspace = tmp_path / "ws"
    result = CliRunner().invoke(main, ["audit", str(data), "--label", "label", "--text", "text", "--pred-probs",
                                       str(probs_file), "--workspace", str(workspace), "--verified", str(bad)])
    assert result.exit_code != 0
    assert result.output.strip().splitlines()[-1] == (
        "error: checked.csv, line 2: verified_label 'c7' is not one of the data's classes (c0, c1, c2, c3)")
    assert not workspace.exists()


def test_the_calibration_recovers_a_known_chance_and_needs_both_kinds() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(3000, 2))
    chance = 1 / (1 + np.exp(-(-1.0 + 2.0 * features[:, 0])))
    wrong = rng.random(3000) < chance
    fitted = fit_verified_calibration(features, wrong, draws=20)
    assert fitted is not None
    assert fitted.coefficients == pytest.approx([-1.0, 2.0, 0.0], abs=0.15)
    assert len(fitted.draws) == 20 and (fitted.verified, fitted.wrong) == (3000, int(wrong.sum()))
    assert fit_verified_calibration(features[:30], np.arange(30) < MIN_VERIFIED_EACH - 1) is None
    assert sample_looks_random(10, 100, 0.1) == (True, 1.0)
    assert sample_looks_random(60, 100, 0.1)[0] is False


def test_several_files_agreeing_duplicates_and_spreadsheet_numbers_are_read() -> None:
    from curate.ingest.loading import load_data
    from curate.ingest.verified import read_verified, verification_sample

    frame = pd.DataFrame({"text": [f"row {i}" for i in range(20)], "label": [i % 2 for i in range(20)]})
    dataset = load_data(frame, label="label", text=["text"]).dataset
    first = pd.DataFrame({"row_id": [3, 4], "verified_label": [1.0, 0.0]})  # a spreadsheet's floats
    second = pd.DataFrame({"row_id": ["4", "5"], "verified_label": ["0", "0"]})
    read = read_verified([first, second], dataset)
    assert read.positions.tolist() == [3, 4, 5] and read.codes.tolist() == [1, 0, 0]
    # draws with one seed are nested: a larger sample keeps the smaller one's rows
    small, large = (set(verification_sample(dataset, size, seed=2)["row_id"]) for size in (5, 12))
    assert small < large and len(large) == 12


def test_checked_wrong_labels_stand_when_the_evidence_is_withheld() -> None:
    """A model near chance withholds the evidence's label flags; a person's checks are facts."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"text": [f"row {i}" for i in range(300)], "label": rng.choice(["a", "b"], 300)})
    probs = np.full((300, 2), 0.5)
    probs[:, 0] += rng.normal(0, 0.01, 300)
    probs[:, 1] = 1 - probs[:, 0]
    verified = pd.DataFrame({"row_id": [0, 1, 2], "verified_label": ["b" if frame.loc[i, "label"] == "a" else "a"
                                                                    for i in range(3)]})
    result = _audit(frame, probs, verified)
    assert "model_near_chance" in [w.code for w in result.warnings]
    assert sorted(result.findings.loc[result.findings["issue"] == "label", "row_id"].astype(int)) == [0, 1, 2]



def test_a_run_whose_every_flag_was_checked_still_has_its_report() -> None:
    frame, probs, true, flipped = _model_that_mistakes_hard_rows()
    result = _audit(frame, probs, _sample(true, ROWS))
    verified = result.notes["label"]["verified"]
    assert verified["estimated_precision_interval"] is None  # no flag left to judge: nothing to estimate
    assert set(result.findings["row_id"].astype(int)) == set(np.flatnonzero(flipped))
    assert result.notes["label"]["estimated_precision"] == 1.0
    assert f"learned from {ROWS} verified labels" in result.to_html()


def test_verify_sample_prints_the_audit_command_with_every_data_option_it_was_given(tmp_path: Path) -> None:
    # A Korean file in the legacy Windows encoding: the next command must read it the same way.
    data = tmp_path / "리뷰.csv"
    pd.DataFrame({"text": [f"영화 {i}번 정말 재미있다" for i in range(40)],
                  "label": ["긍정", "부정"] * 20}).to_csv(data, index=False, encoding="cp949")
    sample = tmp_path / "sample.csv"
    drawn = CliRunner().invoke(main, ["verify-sample", str(data), "--label", "label", "--text", "text",
                                      "--encoding", "cp949", "--size", "10", "--output", str(sample)])
    assert drawn.exit_code == 0, drawn.output
    assert "--encoding cp949 --verified" in drawn.output
    assert pd.read_csv(sample)["given_label"].isin(["긍정", "부정"]).all()
    # the sample is not stored anywhere, so it takes no dataset name
    named = CliRunner().invoke(main, ["verify-sample", str(data), "--name", "x", "--output", str(tmp_path / "o.csv")])
    assert named.exit_code != 0 and "No such option '--name'" in named.output


def test_a_sample_checked_blind_in_the_annotation_app_reads_as_verified_labels(tmp_path: Path) -> None:
    # verify-sample, then annotators label the sample (here imported with their labels already in,
    # as the app would have recorded them), then the annotation export goes to audit --verified.
    frame, probs, true, _ = _model_that_mistakes_hard_rows()
    data, probs_file = tmp_path / "data.csv", tmp_path / "probs.npy"
    frame.to_csv(data, index=False)
    np.save(probs_file, probs)
    runner = CliRunner()
    sample = tmp_path / "sample.csv"
    assert runner.invoke(main, ["verify-sample", str(data), "--label", "label", "--text", "text", "--size", "400",
                                "--output", str(sample)]).exit_code == 0
    table = pd.read_csv(sample, keep_default_na=False)
    truth = [f"c{c}" for c in true[table["row_id"]]]
    table["rater_1"] = table["rater_2"] = truth
    # one item the two raters split on: a weak consensus is no check, so that row stays unchecked
    table.loc[0, "rater_2"] = "c3" if truth[0] != "c3" else "c2"
    table.drop(columns=["given_label", "verified_label"]).to_csv(sample, index=False)
    workspace = tmp_path / "ws"
    imported = runner.invoke(main, ["annotate", "import", str(sample), "--text", "text", "--id", "row_id",
                                    "--labels", "c0,c1,c2,c3", "--workspace", str(workspace)])
    assert imported.exit_code == 0, imported.output
    export = tmp_path / "checked.csv"
    exported = runner.invoke(main, ["annotate", "export", "sample", "--out", str(export), "--no-model",
                                    "--workspace", str(workspace)])
    assert exported.exit_code == 0, exported.output
    from curate.ingest.loading import load_data
    from curate.ingest.verified import read_verified

    dataset = load_data(frame, label="label", text=["text"]).dataset
    exported_table = pd.read_csv(export, keep_default_na=False).set_index("id")
    split_row = int(table.loc[0, "row_id"])
    assert exported_table.loc[split_row, "weak_consensus"] and exported_table["weak_consensus"].sum() == 1
    checked = read_verified(export, dataset)
    expected = table["row_id"].astype(int).to_numpy()[1:]
    assert checked.positions.tolist() == expected.tolist()
    assert checked.codes.tolist() == true[expected].tolist()
    audited = runner.invoke(main, ["audit", str(data), "--label", "label", "--text", "text", "--pred-probs",
                                   str(probs_file), "--detector", "label", "--workspace", str(tmp_path / "ws2"),
                                   "--verified", str(export)])
    assert audited.exit_code == 0, audited.output
    assert f"learned from {len(expected)} verified labels" in audited.output


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_verify_sample_writes_text_with_a_byte_order_mark_that_verified_reads(tmp_path: Path, suffix: str) -> None:
    # Excel on Korean Windows reads a CSV without a mark as CP949: Hangul written as UTF-8 turns to junk.
    from curate.ingest.loading import load_data
    from curate.ingest.verified import read_verified

    data = tmp_path / "리뷰.csv"
    pd.DataFrame({"text": [f"영화 {i}번 정말 재미있다" for i in range(40)],
                  "label": ["긍정", "부정"] * 20}).to_csv(data, index=False)
    sample = tmp_path / f"검수{suffix}"
    drawn = CliRunner().invoke(main, ["verify-sample", str(data), "--size", "10", "--output", str(sample)])
    assert drawn.exit_code == 0, drawn.output
    raw = sample.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfrow_id")
    # checked in place, the mark kept: the first checked row is named by its line in the file
    lines = raw.decode("utf-8-sig").splitlines()
    sep = "\t" if suffix == ".tsv" else ","
    lines[1] += "긍정"
    lines[2] += "모름"
    sample.write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))
    dataset = load_data(data).dataset
    with pytest.raises(DatasetError, match=rf"^검수\{suffix}, line 3: verified_label '모름' is not one"):
        read_verified(sample, dataset)
    lines[2] = lines[2].removesuffix("모름")
    sample.write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))
    checked = read_verified(sample, dataset)
    assert checked.positions.tolist() == [int(lines[1].split(sep)[0])]
    assert pd.read_csv(sample, sep=sep, encoding="utf-8-sig").columns[0] == "row_id"


def test_a_spreadsheets_bad_row_is_named_by_the_row_number_excel_shows(tmp_path: Path) -> None:
    # Excel numbers the header row 1, so the first data row is row 2 (as a CSV's is line 2).
    frame, probs, _, _ = _model_that_mistakes_hard_rows()
    path = tmp_path / "z3.xlsx"
    pd.DataFrame({"row_id": ["1", "2"], "verified_label": ["c0", "c9"]}).to_excel(path, index=False)
    with pytest.raises(DatasetError, match=r"^z3\.xlsx, row 3: verified_label 'c9' is not one of the data's"):
        _audit(frame, probs, path)
    # a DataFrame has no header row: its rows are counted from 1
    with pytest.raises(DatasetError, match=r"^the verified labels, row 2: verified_label 'c9'"):
        _audit(frame, probs, pd.DataFrame({"row_id": [1, 2], "verified_label": ["c0", "c9"]}))


def _drawn_and_checked(frame: pd.DataFrame, path: Path, **options: object) -> pd.DataFrame:
    """A sample drawn as verify-sample draws it (``options`` as its data options), checked, written to ``path``."""
    from curate.ingest.loading import load_data
    from curate.ingest.verified import verification_sample

    table = verification_sample(load_data(frame, label="label", text=["text"], **options).dataset, size=5)
    table["verified_label"] = table["given_label"]
    table.to_csv(path, index=False)
    return table


@pytest.mark.parametrize("ids", [lambda i: str(9000 + i), lambda i: str(ROWS - 1 - i)], ids=["unknown", "other-row"])
def test_a_sample_drawn_by_position_but_audited_with_id_says_so(tmp_path: Path, ids) -> None:  # type: ignore[no-untyped-def]
    from curate.ingest.loading import load_data
    from curate.ingest.verified import read_verified

    frame = _model_that_mistakes_hard_rows()[0].assign(id=[ids(i) for i in range(ROWS)])
    table = _drawn_and_checked(frame, tmp_path / "chk.csv")
    first = table["row_id"].iloc[0]
    with pytest.raises(DatasetError, match=rf"^chk\.csv, line 2: row_id '{first}' names rows by position, but this "
                                           r"audit names them by the --id column 'id'; audit without --id or draw "
                                           r"the sample with --id id$"):
        read_verified(tmp_path / "chk.csv", load_data(frame, label="label", text=["text"], id="id").dataset)


def test_a_sample_drawn_with_id_but_audited_by_position_says_so(tmp_path: Path) -> None:
    from curate.ingest.loading import load_data
    from curate.ingest.verified import read_verified

    frame = _model_that_mistakes_hard_rows()[0].assign(id=[str(9000 + i) for i in range(ROWS)])
    table = _drawn_and_checked(frame, tmp_path / "chk.csv", id="id")
    first = table["row_id"].iloc[0]
    with pytest.raises(DatasetError, match=rf"^chk\.csv, line 2: row_id '{first}' names rows by the column 'id' "
                                           r"\(drawn with --id id\), but this audit names them by 0-based position; "
                                           r"audit with --id id or draw the sample without --id$"):
        read_verified(tmp_path / "chk.csv", load_data(frame, label="label", text=["text"]).dataset)


@pytest.mark.parametrize("with_text", [True, False])
def test_ids_whose_leading_zeros_a_spreadsheet_dropped_are_said_to_be(tmp_path: Path, with_text: bool) -> None:
    from curate.ingest.loading import load_data
    from curate.ingest.verified import read_verified

    frame = _model_that_mistakes_hard_rows()[0].assign(id=[f"{i:05d}" for i in range(ROWS)])
    table = _drawn_and_checked(frame, tmp_path / "chk.csv", id="id")
    first = table["row_id"].iloc[0]
    table["row_id"] = table["row_id"].astype(int)  # as Excel reads "00012": the number 12
    table.drop(columns=[] if with_text else ["text"]).to_csv(tmp_path / "chk.csv", index=False)
    with pytest.raises(DatasetError, match=rf"^chk\.csv, line 2: row_id '{int(first)}' is not a row of the data, "
                                           rf"but '{first}' is: its leading zeros were probably dropped by a "
                                           r"spreadsheet"):
        read_verified(tmp_path / "chk.csv", load_data(frame, label="label", text=["text"], id="id").dataset)


def test_an_audit_without_the_previous_runs_verified_labels_warns_and_compare_says_they_differ(tmp_path: Path) -> None:
    frame, probs, true, _ = _model_that_mistakes_hard_rows()
    data, probs_file, sample = tmp_path / "data.csv", tmp_path / "probs.npy", tmp_path / "check.csv"
    frame.to_csv(data, index=False)
    np.save(probs_file, probs)
    _sample(true, 400).to_csv(sample, index=False)
    workspace = tmp_path / "ws"
    command = ["audit", str(data), "--label", "label", "--text", "text", "--pred-probs", str(probs_file),
               "--detector", "label", "--workspace", str(workspace)]
    runner = CliRunner()
    checked = runner.invoke(main, [*command, "--verified", str(sample)])
    assert checked.exit_code == 0, checked.output
    assert "this one has none" not in checked.output
    plain = runner.invoke(main, command)
    assert plain.exit_code == 0, plain.output
    warning = ("warning: [verified_left_out] the previous run of this dataset (run 1) used 400 verified labels from "
               "check.csv; this one has none, so its label flags rest on the evidence alone - pass --verified "
               f"{sample.resolve()} (verified= in Python) again to keep them")
    assert warning in " ".join(plain.stdout.split())
    # a run warning like the others: in the API result and stored with the run, for the report and the review app
    api = curate.audit(data, label="label", text="text", pred_probs=probs_file, detectors=["label"],
                       workspace=workspace, progress=False)
    assert [w.code for w in api.warnings if w.code == "verified_left_out"] == []  # run 2 had none either
    stored = Workspace(workspace).run(2).metrics["warnings"]
    assert [w["facts"]["previous_run"] for w in stored if w["code"] == "verified_left_out"] == [1]
    again = runner.invoke(main, command)  # the previous run (2) had none: nothing forgotten this time
    assert again.exit_code == 0 and "verified labels from" not in again.output
    compared = runner.invoke(main, ["compare", "1", "2", "--workspace", str(workspace)])
    assert compared.exit_code == 0, compared.output
    assert ("note: the runs differ in their verified labels (run 1: 400 from check.csv; run 2: none): label flags "
            "that came or went with them count as new or dropped, not as the evidence changing its mind"
            ) in compared.stdout
    same = runner.invoke(main, ["compare", "2", "3", "--workspace", str(workspace)])
    assert same.exit_code == 0 and "verified labels" not in same.output
