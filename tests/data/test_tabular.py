"""from_csv: numeric CSV files, and errors that name the file, the column and the row."""

import io

import numpy as np
import pytest

from chainrule.data import datasets, from_csv
from chainrule.data.tabular import read_csv_columns


def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_numbers(tmp_path):
    p = write(tmp_path, "a,b,label\n1,2.5,0\n-3,4e-1,1\n\n")  # a trailing blank line is not a sample
    X, y, names = from_csv(p, target="label")
    assert names == ["a", "b"]
    assert np.array_equal(X, [[1, 2.5], [-3, 0.4]]) and np.array_equal(y, [0, 1])
    assert X.dtype == np.float64 and y.dtype == np.float64


def test_default_target_is_last_column_and_target_anywhere(tmp_path):
    p = write(tmp_path, "y,x1,x2\n1,2,3\n4,5,6\n")
    X, y, names = from_csv(p)
    assert names == ["y", "x1"] and np.array_equal(y, [3, 6])
    X, y, names = from_csv(p, target="y")
    assert names == ["x1", "x2"] and np.array_equal(y, [1, 4]) and np.array_equal(X, [[2, 3], [5, 6]])


def test_features_select_columns_and_skip_text_ones(tmp_path):
    p = write(tmp_path, "id,name,x,t\n1,ann,0.5,1\n2,bob,1.5,0\n")
    X, y, names = from_csv(p, target="t", features=["x"])
    assert names == ["x"] and np.array_equal(X, [[0.5], [1.5]]) and np.array_equal(y, [1, 0])


def test_bom_whitespace_and_text_input(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufeffx, y\n 1 , 2\n".encode())
    X, y, names = from_csv(p, target="y")
    assert names == ["x"] and X[0, 0] == 1 and y[0] == 2
    X, y, names = from_csv(io.StringIO("x1,x2,label\n0,1,1\n"), target="label")
    assert names == ["x1", "x2"] and y[0] == 1


def test_non_numeric_value_names_file_row_and_column(tmp_path):
    p = write(tmp_path, "a,b,label\n1,2,0\n3,oops,1\n")
    with pytest.raises(ValueError, match=r"data\.csv, row 3, column 'b': 'oops' is not a number"):
        from_csv(p, target="label")


@pytest.mark.parametrize("cell", ["", "NA", "nan", "?"])
def test_missing_value(tmp_path, cell):
    p = write(tmp_path, f"a,b,label\n1,2,0\n5,6,1\n7,{cell},1\n")
    with pytest.raises(ValueError, match=r"row 4, column 'b': missing value"):
        from_csv(p, target="label")


def test_infinite_value(tmp_path):
    p = write(tmp_path, "a,label\ninf,0\n")
    with pytest.raises(ValueError, match=r"row 2, column 'a': 'inf' is not a finite number"):
        from_csv(p)


def test_unknown_target_lists_columns(tmp_path):
    p = write(tmp_path, "a,b,label\n1,2,0\n")
    with pytest.raises(ValueError, match=r"data\.csv: unknown target column 'y'; the columns are: a, b, label"):
        from_csv(p, target="y")
    with pytest.raises(ValueError, match=r"unknown feature column 'c'"):
        from_csv(p, target="label", features=["a", "c"])
    with pytest.raises(ValueError, match=r"'label' is the target"):
        from_csv(p, target="label", features=["a", "label"])


def test_ragged_row(tmp_path):
    p = write(tmp_path, "a,b,label\n1,2,0\n3,4\n")
    with pytest.raises(ValueError, match=r"row 3: expected 3 values \(one per column: a, b, label\), got 2"):
        from_csv(p, target="label")


def test_row_numbers_count_blank_lines(tmp_path):
    p = write(tmp_path, "a,label\n1,0\n\n\nx,1\n")
    with pytest.raises(ValueError, match=r"row 5, column 'a'"):
        from_csv(p)


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("a,b\n", r"header \(a, b\) is followed by no data rows"),
    ("a,a\n1,2\n", "column name 'a' appears twice"),
    ("a,,c\n1,2,3\n", "column 2 of the header has no name"),
    ("a\n1\n", "no feature columns"),
])
def test_malformed_files(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        from_csv(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        from_csv(tmp_path / "nope.csv")


def test_read_csv_columns(tmp_path):
    p = write(tmp_path, "a,b\n1,2\n3,4\n")
    header, values, name = read_csv_columns(p)
    assert header == ["a", "b"] and np.array_equal(values, [[1, 2], [3, 4]]) and name.endswith("data.csv")
    with pytest.raises(ValueError, match="unknown column 'z'"):
        read_csv_columns(p, ["z"])


def test_load_csv_classification_and_regression(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    labels = np.where(X[:, 0] > 0, 7, 3)  # class values 3 and 7 become indices 0 and 1
    rows = "\n".join(f"{a},{b},{c},{t}" for (a, b, c), t in zip(X, labels))
    p = write(tmp_path, "f1,f2,f3,cls\n" + rows + "\n")
    split = datasets.load(f"csv:{p}", target="cls", seed=0)
    assert split.task == "classification" and split.n_classes == 2 and split.class_names == ["3", "7"]
    assert split.feature_names == ["f1", "f2", "f3"] and split.n_features == 3
    assert len(split.train) + len(split.val) + len(split.test) == 100
    assert set(np.unique(split.train.tensors[1].numpy())) == {0, 1}
    reg = datasets.load(f"csv:{p}", target="f3", seed=0)
    assert reg.task == "regression" and reg.n_classes == 0 and tuple(reg.train.tensors[1].shape)[1:] == (1,)
    forced = datasets.load(f"csv:{p}", target="cls", task="regression")
    assert forced.task == "regression"
    with pytest.raises(ValueError, match="unknown target column 'nope'"):
        datasets.load(f"csv:{p}", target="nope")
    with pytest.raises(ValueError, match="not to a CSV"):
        datasets.load(f"csv:{p}", noise=0.1)
