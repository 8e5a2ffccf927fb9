"""DataFrames as pandas users have them: the index as row ids, integer column names, mixed and
nested cells, extreme numbers, labels as a Series, wrong argument types, and label dtypes kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.errors import ColumnError, DatasetError, InputError
from curate.features.tabular import MAX_SCALED, encode_table

from .conftest import CLASSES, make_tabular_frame, make_text_frame

HASHED = {"embedder": "hashed"}


def _probs(codes: np.ndarray, n_classes: int, planted: int, to: int) -> np.ndarray:
    """0.9 on each row's given class; row ``planted`` puts 0.99 on class ``to`` instead."""
    probs = np.full((len(codes), n_classes), 0.1 / (n_classes - 1))
    probs[np.arange(len(codes)), codes] = 0.9
    probs[planted] = 0.01 / (n_classes - 1)
    probs[planted, to] = 0.99
    return probs


def _text_probs(frame: pd.DataFrame, planted: int = 13, to: str = "tech") -> np.ndarray:
    codes = frame["label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    return _probs(codes, len(CLASSES), planted, CLASSES.index(to))


def _label_findings(result: curate.AuditResult) -> pd.DataFrame:
    return result.findings[result.findings["issue"] == "label"]


# 1. The index names the rows.


@pytest.mark.parametrize(
    "index",
    [[f"doc{i}" for i in range(60)], [1000 + 7 * i for i in range(60)]],
    ids=["str", "int"],
)
def test_a_dataframe_index_is_the_row_id(index: list[object]) -> None:
    frame = make_text_frame().drop(columns="id").set_axis(index)
    result = curate.audit(frame, label="label", text="text", pred_probs=_text_probs(frame), detectors=["label"])
    assert _label_findings(result)["row_id"].tolist() == [index[13]]
    assert result.scores["row_id"].dtype == (object if isinstance(index[0], str) else np.int64)
    assert sorted(result.scores["row_id"]) == sorted(index)
    assert list(result.dataset.row_ids) == [str(i) for i in index]
    assert result.dataset.id_column == "index"


def test_a_named_index_keeps_its_name_and_a_range_index_keeps_positions() -> None:
    frame = make_text_frame().drop(columns="id")
    named = frame.set_axis(pd.Index([f"n{i}" for i in range(60)], name="doc_id"))
    result = curate.audit(named, label="label", text="text", pred_probs=_text_probs(frame), detectors=["label"])
    assert result.dataset.id_column == "doc_id" and _label_findings(result)["row_id"].tolist() == ["n13"]
    plain = curate.audit(frame, label="label", text="text", pred_probs=_text_probs(frame), detectors=["label"])
    assert plain.dataset.id_column is None
    assert _label_findings(plain)["row_id"].tolist() == [13]
    assert plain.scores["row_id"].dtype == np.int64


def test_a_filtered_frame_keeps_its_row_labels() -> None:
    frame = make_text_frame().drop(columns="id")
    kept = frame[frame.index % 4 != 3]  # rows 0, 1, 2, 4, ...: no longer the default range
    codes = kept["label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    planted = list(kept.index).index(13)
    result = curate.audit(
        kept, label="label", text="text", pred_probs=_probs(codes, 3, planted, 2), detectors=["label"]
    )
    assert _label_findings(result)["row_id"].tolist() == [13]


def test_a_repeated_index_is_one_error() -> None:
    frame = make_text_frame().drop(columns="id")
    frame.index = pd.Index([f"d{i % 50}" for i in range(60)], name="doc")
    with pytest.raises(DatasetError) as caught:
        curate.audit(frame, label="label", text="text", **HASHED)
    assert str(caught.value) == (
        "the index of the DataFrame ('doc') is not unique: 'd0' appears 2 times (rows [0, 50]); the index names "
        "each row in the findings: make it unique, reset_index(drop=True) to number rows by position, or name "
        "an id column with id="
    )


def test_an_id_column_wins_over_the_index() -> None:
    frame = make_text_frame().set_axis([f"x{i}" for i in range(60)])
    result = curate.audit(
        frame, label="label", text="text", id="id", pred_probs=_text_probs(frame), detectors=["label"]
    )
    assert _label_findings(result)["row_id"].tolist() == ["r13"]


def test_the_index_is_recorded_in_the_workspace(tmp_path: Path) -> None:
    frame = make_text_frame().drop(columns="id").set_axis([f"doc{i}" for i in range(60)])
    result = curate.audit(
        frame, label="label", text="text", pred_probs=_text_probs(frame), detectors=["label"], workspace=tmp_path / "ws"
    )
    assert result.workspace is not None
    stored = result.workspace.findings(result.run_id or 0)
    assert stored["row_id"].tolist() == ["doc13"]


# 2. Column names, cells and arguments as pandas users have them.


def test_integer_column_names() -> None:
    frame = make_text_frame().drop(columns="id")
    frame.columns = [0, 1]
    result = curate.audit(
        frame, label=1, text=0, pred_probs=_text_probs(frame.set_axis(["text", "label"], axis=1)), detectors=["label"]
    )
    assert result.dataset.label_column == "1" and result.dataset.text_columns == ("0",)
    assert _label_findings(result)["given_label"].tolist() == ["sport"]


def test_two_names_with_the_same_text_are_one_error() -> None:
    frame = make_text_frame()
    frame[0] = 1
    frame["0"] = 2
    with pytest.raises(ColumnError) as caught:
        curate.audit(frame, label="label", text="text", **HASHED)
    assert str(caught.value) == "the DataFrame has two columns named '0' (0 and '0'); rename one"


def test_a_column_mixing_numbers_and_text_is_audited_as_categories() -> None:
    frame = make_tabular_frame()
    frame["code"] = pd.Series([i % 3 if i % 2 else "x" for i in range(len(frame))], dtype=object)
    result = curate.audit(frame, label="label", **HASHED)
    assert "code" in result.dataset.input_columns
    assert result.dataset.frame["code"].tolist()[:4] == ["x", "1", "x", "0"]
    assert result.metrics["rows"] == 50


def test_a_numeric_column_with_a_few_words_names_the_column() -> None:
    frame = make_tabular_frame()
    frame["score"] = pd.Series(["n/a?" if i == 7 else i for i in range(len(frame))], dtype=object)
    with pytest.raises(DatasetError) as caught:
        curate.audit(frame, label="label", **HASHED)
    assert str(caught.value) == (
        "<DataFrame>: column 'score' is numeric but row 7 holds 'n/a?' (1 such cell(s)); fix or blank them"
    )


def test_list_and_dict_cells_are_read_as_their_json_text() -> None:
    frame = make_tabular_frame()
    frame["tags"] = [["a", "b"] if i % 2 else ["c"] for i in range(len(frame))]
    frame["meta"] = [{"k": i % 3} for i in range(len(frame))]
    frame["mixed"] = [["a"] if i % 2 else "plain" for i in range(len(frame))]
    result = curate.audit(frame, label="label", **HASHED)
    cells = result.dataset.frame
    assert cells.loc[0, "tags"] == '["c"]' and cells.loc[1, "tags"] == '["a", "b"]'
    assert cells.loc[2, "meta"] == '{"k": 2}'
    assert cells.loc[0, "mixed"] == "plain" and cells.loc[1, "mixed"] == '["a"]'


def test_extreme_numbers_and_infinities_are_audited() -> None:
    frame = make_tabular_frame()
    frame["huge"] = [1e308 if i % 3 == 0 else -1.7e308 if i % 3 == 1 else float(i) for i in range(len(frame))]
    frame["inf"] = [np.inf if i % 5 == 0 else -np.inf if i % 5 == 1 else float(i) for i in range(len(frame))]
    result = curate.audit(frame, label="label", **HASHED)  # any overflow warning would fail the test
    assert result.metrics["rows"] == 50
    # every detector ran; the example plugin's 'shouting' checks text only, so a table's run leaves it out
    assert set(result.summary["issue"]) == set(curate.available_detectors()) - {"shouting"}


def test_extreme_numbers_are_scaled_without_overflow() -> None:
    encoded = encode_table(pd.DataFrame({"x": [1e308, -1e308, 0.0, 0.5, np.inf]}))
    # median 0.25; quartiles -2.5e307 and 2.5e307, a spread of 5e307; inf is missing
    assert encoded.tolist() == [[2.0, 0.0], [-2.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    tiny_spread = encode_table(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 1e308]}))
    assert tiny_spread[:, 0].tolist() == [-1.0, -0.5, 0.0, 0.5, MAX_SCALED]  # cut at MAX_SCALED spreads


def test_labels_given_as_a_series_are_aligned_on_the_index() -> None:
    frame = make_text_frame().drop(columns="id").set_axis([f"doc{i}" for i in range(60)])
    labels = frame.pop("label").iloc[::-1]  # another order: aligned by index, not position
    probs = _text_probs(labels.reindex(frame.index).to_frame("label"))
    result = curate.audit(frame, label=labels, text="text", pred_probs=probs, detectors=["label"])
    assert result.dataset.label_column == "label"
    assert _label_findings(result)[["row_id", "given_label"]].values.tolist() == [["doc13", "sport"]]
    by_position = curate.audit(
        frame, label=labels.reindex(frame.index).to_numpy(), text="text", pred_probs=probs, detectors=["label"]
    )
    assert _label_findings(by_position)["row_id"].tolist() == ["doc13"]


def test_the_label_column_itself_as_a_series() -> None:
    frame = make_text_frame().drop(columns="id")
    result = curate.audit(frame, label=frame["label"], text="text", pred_probs=_text_probs(frame), detectors=["label"])
    assert result.dataset.label_column == "label" and list(result.dataset.frame.columns) == ["text"]


def test_labels_whose_index_does_not_match_are_one_error() -> None:
    frame = make_text_frame().drop(columns="id").set_axis([f"doc{i}" for i in range(60)])
    with pytest.raises(InputError) as caught:
        curate.audit(frame, label=pd.Series(frame["label"].to_numpy()), text="text", **HASHED)
    assert str(caught.value) == (
        "label= is a Series whose index does not match the index of the DataFrame (60 of its 60 rows have no "
        "label there); align it, or pass label=series.to_numpy() to match rows by position"
    )
    with pytest.raises(InputError) as short:
        curate.audit(frame, label=["food", "tech"], text="text", **HASHED)
    assert str(short.value) == (
        "label= holds (2,) values for the 60 rows of the DataFrame; give one label per row, shape (60,)"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"label": 3.5}, "label= takes a column name (a str, or an int for integer column names); got float 3.5"),
        ({"label": "label", "text": 2.0}, "text= takes a column name or a list of them; got float 2.0"),
        (
            {"label": "label", "text": ["text", 2.0]},
            "text= takes a column name (a str, or an int for integer column names); got float 2.0",
        ),
        ({"label": "label", "text": {"a": 1}}, "text= takes a column name or a list of them; got dict {'a': 1}"),
        (
            {"label": "label", "id": True},
            "id= takes a column name (a str, or an int for integer column names); got bool True",
        ),
    ],
    ids=["label-float", "text-float", "text-list-float", "text-dict", "id-bool"],
)
def test_wrong_argument_types_are_curate_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as caught:
        curate.audit(make_text_frame(), **kwargs, **HASHED)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_data_that_is_not_a_table_is_a_curate_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        curate.audit([{"text": "a", "label": "x"}], label="label", **HASHED)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "data= takes a pandas DataFrame or a file path; got list (pass pandas.DataFrame(...) of it)"
    )
    path = tmp_path / "data.csv"
    make_text_frame().to_csv(path, index=False)
    with pytest.raises(InputError) as series:
        curate.audit(path, label=pd.Series(["x"]), **HASHED)
    assert str(series.value) == (
        "label= takes labels as a Series only with a DataFrame; with a file, name the label column; got Series"
    )


# 3. Labels and ids keep their dtypes.


@pytest.mark.parametrize(
    ("classes", "given", "suggested", "dtypes"),
    [
        ([10, 20, 30], 20, 30, ("int64", "Int64")),
        ([False, True], True, False, ("bool", "boolean")),
        ([0.5, 1.5, 2.5], 1.5, 2.5, ("float64", "Float64")),
        (["food", "sport", "tech"], "sport", "tech", ("object", "object")),
    ],
    ids=["int", "bool", "float", "str"],
)
def test_labels_keep_their_dtype(
    classes: list[object], given: object, suggested: object, dtypes: tuple[str, str]
) -> None:
    frame = make_text_frame().drop(columns="id")
    codes = np.arange(60) % len(classes)
    frame["label"] = pd.Series([classes[c] for c in codes])
    planted = int(np.flatnonzero(codes == classes.index(given))[4])
    probs = _probs(codes, len(classes), planted, classes.index(suggested))
    result = curate.audit(frame, label="label", text="text", pred_probs=probs, detectors=["label"])
    found = _label_findings(result)
    assert found[["row_id", "given_label", "suggested_label"]].values.tolist() == [[planted, given, suggested]]
    assert (str(found["given_label"].dtype), str(found["suggested_label"].dtype)) == dtypes
    assert str(result.scores["given_label"].dtype) == dtypes[0]
    assert result.to_html().count("<html") == 1  # the report reads the stored text


# 4. Your own features and classifier.


def _own_features(frame: pd.DataFrame, planted: int = 13, looks_like: str = "tech") -> np.ndarray:
    """Each row's class as a one-hot direction plus a little noise; row ``planted`` looks like ``looks_like``."""
    rng = np.random.default_rng(0)
    codes = frame["label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    codes[planted] = CLASSES.index(looks_like)
    return np.eye(3)[codes] * 4 + rng.normal(0, 0.3, (len(frame), 3))


def test_own_features_as_an_array() -> None:
    frame = make_text_frame().drop(columns="id")
    result = curate.audit(frame, label="label", text="text", features=_own_features(frame))
    assert result.metrics["embedder"] == "user features" and result.metrics["feature_dim"] == 3
    assert result.params["features"] == "user features, shape (60, 3)"
    assert _label_findings(result)[["row_id", "given_label", "suggested_label"]].values.tolist() == [
        [13, "sport", "tech"]
    ]


def test_own_features_as_a_column_of_vectors() -> None:
    frame = make_text_frame().drop(columns="id")
    frame["embedding"] = list(_own_features(frame))
    result = curate.audit(frame, label="label", text="text", features="embedding", detectors=["label"])
    assert "embedding" not in result.dataset.frame.columns
    assert _label_findings(result)["row_id"].tolist() == [13]


def test_own_features_as_a_series_and_not_with_an_embedder() -> None:
    from curate.errors import ConfigError

    frame = make_text_frame().drop(columns="id")
    frame["embedding"] = list(_own_features(frame))
    result = curate.audit(frame, label="label", text="text", features=frame.pop("embedding"), detectors=["label"])
    assert result.metrics["feature_dim"] == 3 and _label_findings(result)["row_id"].tolist() == [13]
    with pytest.raises(ConfigError) as caught:
        curate.audit(frame, label="label", text="text", features=_own_features(frame), embedder="hashed")
    assert str(caught.value) == (
        "features= and embedder= both choose the features; give one (features= are used as given)"
    )


def test_own_features_read_what_curate_cannot() -> None:
    """A table of image paths alone is refused; with the user's image embeddings it is audited."""
    frame = make_text_frame().drop(columns=["id", "text"])
    frame["photo"] = [f"photos/{i:04d}.jpg" for i in range(60)]
    with pytest.raises(ColumnError):
        curate.audit(frame, label="label", detectors=["label"])
    result = curate.audit(frame, label="label", features=_own_features(frame), detectors=["label"])
    assert result.warnings == [] and _label_findings(result)["row_id"].tolist() == [13]


def test_own_classifier_is_cloned_and_recorded() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    frame = make_text_frame().drop(columns="id")
    knn = KNeighborsClassifier(n_neighbors=7)
    result = curate.audit(
        frame, label="label", text="text", features=_own_features(frame), classifier=knn, detectors=["label"]
    )
    assert result.metrics["classifier"] == "KNeighborsClassifier"
    assert result.params["classifier"] == "KNeighborsClassifier(n_neighbors=7)"
    assert not hasattr(knn, "classes_")  # the user's object is never fitted
    assert _label_findings(result)["row_id"].tolist() == [13]
    named = curate.audit(
        frame,
        label="label",
        text="text",
        features=_own_features(frame),
        classifier="hist_gradient_boosting",
        detectors=["label"],
    )
    assert named.metrics["classifier"] == "HistGradientBoostingClassifier"


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (np.zeros((59, 4)), "features= has shape (59, 4); expected shape (60, dim): one vector per row"),
        (np.zeros(60), "features= has shape (60,); expected shape (60, dim): one vector per row"),
        (
            np.full((60, 2), np.nan),
            "features= row 0 holds a NaN or infinite value (60 such row(s)); every value must be finite",
        ),
        (
            [["a", "b"]] * 60,
            "features= must hold numbers in shape (60, dim): one vector per row; got list that "
            "numpy cannot read as numbers (could not convert string to float: 'a')",
        ),
        ("missing", "the DataFrame has no features column 'missing'; its columns are: text, label"),
    ],
    ids=["rows", "1d", "nan", "strings", "no-column"],
)
def test_features_of_the_wrong_shape_are_curate_errors(features: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        curate.audit(make_text_frame().drop(columns="id"), label="label", text="text", features=features)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_a_ragged_column_of_vectors_names_the_row() -> None:
    frame = make_text_frame().drop(columns="id")
    frame["embedding"] = [[0.0, 1.0]] * 5 + [[0.0]] + [[1.0, 0.0]] * 54
    with pytest.raises(InputError) as caught:
        curate.audit(frame, label="label", text="text", features="embedding")
    assert str(caught.value) == (
        "features column 'embedding' of the DataFrame: row 5 holds a vector of 1 values, not 2; every cell must be "
        "a vector (a list or array) of the same length"
    )


@pytest.mark.parametrize("classifier", ["regression", "class"])
def test_a_classifier_that_cannot_give_probabilities_is_a_curate_error(classifier: str) -> None:
    from sklearn.linear_model import LinearRegression, LogisticRegression

    given = LinearRegression() if classifier == "regression" else LogisticRegression
    with pytest.raises(InputError) as caught:
        curate.audit(make_text_frame(), label="label", text="text", classifier=given, **HASHED)
    got = (
        "LinearRegression"
        if classifier == "regression"
        else ("the class LogisticRegression (pass an instance: LogisticRegression())")
    )
    assert str(caught.value) == (
        "classifier= takes a scikit-learn classifier with predict_proba, e.g. LogisticRegression(), or a name "
        f"(auto, logistic_regression, hist_gradient_boosting); got {got}"
    )


# 6. How a result shows itself.


def test_the_repr_is_short() -> None:
    frame = make_text_frame()
    result = curate.audit(
        frame,
        label="label",
        text="text",
        pred_probs=_text_probs(frame),
        detectors=["label", "exact_duplicate"],
        name="reviews",
    )
    assert repr(result) == "<AuditResult 'reviews': 60 rows, 3 classes\n  flags: label 1 (none for the other 1 issue)>"
    clean = curate.audit(
        frame,
        label="label",
        text="text",
        pred_probs=_text_probs(frame, planted=13, to="sport"),
        detectors=["label", "exact_duplicate"],
    )
    assert repr(clean) == "<AuditResult 'dataframe': 60 rows, 3 classes\n  flags: none in 2 issues>"


def test_the_notebook_view_escapes_the_data() -> None:
    frame = make_tabular_frame()
    frame["<i>leak</i>"] = frame["label"].map({"low": "<b>L</b>", "high": "<b>H</b>"})
    frame["label"] = frame["label"].map({"low": "<script>x</script>", "high": "ok"})
    result = curate.audit(frame, label="label", name="<img src=x onerror=alert(1)>", **HASHED)
    assert [w.code for w in result.warnings] == ["leaked_label_column"]
    assert repr(result).splitlines()[2:] == ["  warnings: leaked_label_column>"]
    assert "label 0 (withheld)" in repr(result).splitlines()[1]
    html = result._repr_html_()
    assert "<i>leak</i>" not in html and "&lt;i&gt;leak&lt;/i&gt;" in html
    assert "<img" not in html and "curate audit of &lt;img src=x onerror=alert(1)&gt;</strong>" in html
    assert "<script>" not in html
    assert "<td>label</td><td style='text-align:right'>0 (withheld)</td>" in html


def test_findings_with_their_text() -> None:
    frame = make_text_frame()
    result = curate.audit(
        frame, label="label", text="text", id="id", pred_probs=_text_probs(frame), detectors=["label"]
    )
    found = result.to_frame(with_text=True)
    assert list(found.columns[:3]) == ["row_id", "text", "issue"]
    assert found[["row_id", "text"]].values.tolist() == [["r13", frame.loc[13, "text"]]]
    every = result.to_frame(flagged_only=False, with_text=True)
    assert len(every) == 60 and every.set_index("row_id")["text"].to_dict() == dict(
        zip(frame["id"], frame["text"], strict=True)
    )
    tabular = curate.audit(make_tabular_frame(), label="label", detectors=["label"], **HASHED)
    row = tabular.to_frame(flagged_only=False, with_text=True).set_index("row_id").loc[0, "text"]
    assert row == "age=28, income=19562.42, city=busan"


def test_the_readme_example_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    [code] = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "features=vectors" in block]
    exec(compile(code, "README.md", "exec"), {})
    said = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    assert capsys.readouterr().out.splitlines() == said
