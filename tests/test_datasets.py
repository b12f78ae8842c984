"""Tests for backprop_core.datasets: built-in data, Standardizer, CSV upload and the shipped real data."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backprop_core.datasets import (
    DATA_DIR,
    DATASET_CHOICES,
    MAX_ROWS,
    REAL_DATASETS,
    REGRESSION_FORMULAS,
    REGRESSION_KINDS,
    REGRESSION_LABELS,
    Dataset,
    DatasetError,
    Standardizer,
    dataset_from_frame,
    load_choice,
    load_real_dataset,
    make_regression,
    make_tiny,
    numeric_columns,
    read_csv,
)

# ---------------------------------------------------------------------------------------------------
# Tiny set and Dataset container
# ---------------------------------------------------------------------------------------------------


def test_tiny_values():
    tiny = make_tiny()

    np.testing.assert_array_equal(tiny.X, [[0.0], [1.0], [2.0], [3.0]], err_msg="tiny X")
    np.testing.assert_array_equal(tiny.y, [[1.0], [3.0], [5.0], [7.0]], err_msg="tiny y = 2x + 1")
    assert tiny.X.dtype == np.float64
    assert tiny.y.dtype == np.float64
    assert tiny.feature_names == ("x",)
    assert tiny.target_names == ("y",)
    assert tiny.name in DATASET_CHOICES


def test_dataset_arrays_read_only():
    tiny = make_tiny()

    with pytest.raises(ValueError):
        tiny.X[0, 0] = 99.0
    with pytest.raises(ValueError):
        tiny.y[0, 0] = 99.0


def test_dataset_copies_input_arrays():
    X = np.array([[1.0], [2.0]])
    dataset = Dataset("d", X, np.array([[3.0], [4.0]]), ("x",), ("y",), "")
    X[0, 0] = 50.0

    assert dataset.X[0, 0] == 1.0


def test_dataset_counts():
    dataset = Dataset("d", np.zeros((5, 3)), np.ones((5, 1)), ("a", "b", "c"), ("t",), "")

    assert dataset.n_samples == 5
    assert dataset.n_features == 3
    assert dataset.n_targets == 1


@pytest.mark.parametrize(
    ("X", "y", "feature_names", "expected"),
    [
        (np.zeros(3), np.zeros((3, 1)), ("x",), "X must be 2-D"),
        (np.zeros((3, 1)), np.zeros(3), ("x",), "y must be 2-D"),
        (np.zeros((3, 1)), np.zeros((2, 1)), ("x",), "same number of rows"),
        (np.zeros((0, 1)), np.zeros((0, 1)), ("x",), "at least one row"),
        (np.array([[np.nan], [1.0]]), np.zeros((2, 1)), ("x",), "finite"),
        (np.zeros((2, 1)), np.array([[np.inf], [1.0]]), ("x",), "finite"),
        (np.zeros((2, 2)), np.zeros((2, 1)), ("x",), "feature_names"),
    ],
)
def test_dataset_rejects_bad_fields(X, y, feature_names, expected):
    with pytest.raises(DatasetError, match=expected):
        Dataset("d", X, y, feature_names, ("y",), "")


# ---------------------------------------------------------------------------------------------------
# Generated regressions
# ---------------------------------------------------------------------------------------------------


def test_regression_registries_share_keys():
    assert set(REGRESSION_LABELS) == set(REGRESSION_KINDS)
    assert set(REGRESSION_FORMULAS) == set(REGRESSION_KINDS)
    assert set(REGRESSION_KINDS) == {"linear", "quadratic", "sine", "absolute", "step"}


@pytest.mark.parametrize("kind", sorted(REGRESSION_KINDS))
def test_regression_shape_and_finite(kind):
    dataset = make_regression(kind, n_points=57, noise=0.3, seed=1)

    assert dataset.X.shape == (57, 1)
    assert dataset.y.shape == (57, 1)
    assert np.all(np.isfinite(dataset.X))
    assert np.all(np.isfinite(dataset.y))
    assert dataset.name == REGRESSION_LABELS[kind]


@pytest.mark.parametrize("kind", sorted(REGRESSION_KINDS))
def test_regression_x_evenly_spaced(kind):
    x = make_regression(kind, n_points=7, noise=0.5, seed=3).X[:, 0]

    np.testing.assert_allclose(x, [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0], err_msg="x grid")


@pytest.mark.parametrize("kind", sorted(REGRESSION_KINDS))
def test_regression_same_seed_same_arrays(kind):
    first = make_regression(kind, n_points=40, noise=0.5, seed=7)
    second = make_regression(kind, n_points=40, noise=0.5, seed=7)

    np.testing.assert_array_equal(first.X, second.X, err_msg="X for equal seeds")
    np.testing.assert_array_equal(first.y, second.y, err_msg="y for equal seeds")


@pytest.mark.parametrize("kind", sorted(REGRESSION_KINDS))
def test_regression_other_seed_differs(kind):
    first = make_regression(kind, n_points=40, noise=0.5, seed=7)
    second = make_regression(kind, n_points=40, noise=0.5, seed=8)

    assert not np.array_equal(first.y, second.y)


@pytest.mark.parametrize("kind", sorted(REGRESSION_KINDS))
def test_regression_zero_noise_is_exact(kind):
    dataset = make_regression(kind, n_points=31, noise=0.0, seed=5)
    expected = REGRESSION_KINDS[kind](dataset.X[:, 0])

    np.testing.assert_array_equal(dataset.y[:, 0], expected, err_msg=f"{kind}: y with noise=0")


@pytest.mark.parametrize(
    ("kind", "x", "expected"),
    [
        ("linear", [-1.0, 0.0, 2.0], [-0.3, 0.5, 2.1]),
        ("quadratic", [-2.0, 0.0, 3.0], [1.0, -1.0, 3.5]),
        ("sine", [0.0, np.pi / 2], [0.0, 1.0]),
        ("absolute", [-3.0, 0.0, 2.0], [2.0, -1.0, 1.0]),
        ("step", [-0.5, 0.0, 0.5], [-1.0, 1.0, 1.0]),
    ],
)
def test_regression_formulas(kind, x, expected):
    np.testing.assert_allclose(REGRESSION_KINDS[kind](np.array(x)), expected, err_msg=REGRESSION_FORMULAS[kind])


def test_regression_noise_is_standard_deviation():
    clean = make_regression("sine", n_points=5000, noise=0.0, seed=0)
    noisy = make_regression("sine", n_points=5000, noise=2.0, seed=0)
    residual = noisy.y - clean.y

    # With 5000 draws the standard error is about 1% of the standard deviation and about 0.03 for
    # the mean, so both tolerances allow about five standard errors.
    np.testing.assert_allclose(residual.std(), 2.0, rtol=0.05, err_msg="std of noise")
    np.testing.assert_allclose(residual.mean(), 0.0, atol=0.15, err_msg="mean of noise")


def test_regression_accepts_numpy_integers():
    dataset = make_regression("linear", n_points=np.int64(10), noise=np.float64(0.1), seed=np.int32(2))

    assert dataset.X.shape == (10, 1)


def test_regression_accepts_limits():
    assert make_regression("linear", 2, 0.0, 0).n_samples == 2
    assert make_regression("linear", 5000, 10.0, 0).n_samples == 5000


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"kind": "cubic"}, "kind"),
        ({"kind": 3}, "kind"),
        ({"kind": "Sine"}, "kind"),
        ({"n_points": 1}, "n_points"),
        ({"n_points": 5001}, "n_points"),
        ({"n_points": 10.0}, "n_points"),
        ({"n_points": True}, "n_points"),
        ({"n_points": "10"}, "n_points"),
        ({"noise": -0.1}, "noise"),
        ({"noise": 10.5}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"noise": float("inf")}, "noise"),
        ({"noise": True}, "noise"),
        ({"noise": "0.1"}, "noise"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"seed": None}, "seed"),
    ],
)
def test_regression_bad_arguments(arguments, parameter):
    call = {"kind": "linear", "n_points": 10, "noise": 0.1, "seed": 0, **arguments}

    with pytest.raises(DatasetError) as caught:
        make_regression(**call)
    assert parameter in str(caught.value)
    assert repr(arguments[parameter]) in str(caught.value)


# ---------------------------------------------------------------------------------------------------
# Standardizer
# ---------------------------------------------------------------------------------------------------


def test_standardizer_mean_zero_std_one():
    data = np.array([[1.0, 100.0], [2.0, 300.0], [4.0, 200.0], [9.0, 800.0]])
    standardizer = Standardizer.fit(data)
    standardized = standardizer.transform(data)

    np.testing.assert_allclose(standardized.mean(axis=0), [0.0, 0.0], atol=1e-12, err_msg="column means")
    np.testing.assert_allclose(standardized.std(axis=0), [1.0, 1.0], rtol=1e-12, err_msg="column stds")
    np.testing.assert_allclose(standardizer.mean, data.mean(axis=0), rtol=1e-12, err_msg="mean")
    np.testing.assert_allclose(standardizer.scale, data.std(axis=0), rtol=1e-12, err_msg="scale")


def test_standardizer_round_trip():
    data = make_regression("quadratic", n_points=50, noise=0.4, seed=9).y
    standardizer = Standardizer.fit(data)

    restored = standardizer.inverse_transform(standardizer.transform(data))

    np.testing.assert_allclose(restored, data, rtol=1e-12, atol=1e-12, err_msg="inverse(transform(data))")


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 30), st.integers(1, 4)),
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    )
)
def test_standardizer_round_trip_property(data):
    max_abs = np.max(np.abs(data), axis=0)
    assume(np.all(max_abs >= 1e-100))
    assume(np.all(np.std(data / max_abs, axis=0) > 1e-9))
    standardizer = Standardizer.fit(data)

    restored = standardizer.inverse_transform(standardizer.transform(data))

    np.testing.assert_allclose(restored, data, rtol=1e-9, atol=1e-9 * max_abs.max(), err_msg="round trip")


def test_standardizer_disabled_is_identity():
    data = np.array([[5.0, -1.0], [7.0, 3.0], [5.0, 2.0]])
    standardizer = Standardizer.fit(data, enabled=False)

    np.testing.assert_array_equal(standardizer.mean, [0.0, 0.0], err_msg="disabled mean")
    np.testing.assert_array_equal(standardizer.scale, [1.0, 1.0], err_msg="disabled scale")
    np.testing.assert_array_equal(standardizer.transform(data), data, err_msg="disabled transform")
    np.testing.assert_array_equal(standardizer.inverse_transform(data), data, err_msg="disabled inverse")


def test_standardizer_disabled_allows_constant_column():
    standardizer = Standardizer.fit(np.array([[2.0], [2.0]]), enabled=False)

    np.testing.assert_array_equal(standardizer.scale, [1.0], err_msg="disabled scale")


@pytest.mark.parametrize(
    "column",
    [
        [3.0, 3.0, 3.0],
        [0.0, 0.0, 0.0],
        [1e6, 1e6 + 1e-7, 1e6],
    ],
)
def test_standardizer_constant_column(column):
    data = np.column_stack([[1.0, 2.0, 3.0], column])

    with pytest.raises(DatasetError, match="Column 1 is constant"):
        Standardizer.fit(data)


def test_standardizer_tiny_values_rejected():
    # The spread of a column of subnormal numbers underflows to a standard deviation of 0.
    data = np.array([[1.0, 5e-324], [2.0, 0.0]])

    with pytest.raises(DatasetError, match="Column 1 has values too small"):
        Standardizer.fit(data)


def test_standardizer_huge_values_finite():
    data = np.array([[1e100, -3e99], [-5e99, 2e100], [3e99, 1e99]])
    standardizer = Standardizer.fit(data)
    standardized = standardizer.transform(data)

    assert np.all(np.isfinite(standardizer.mean))
    assert np.all(np.isfinite(standardizer.scale))
    assert np.all(np.isfinite(standardized))
    np.testing.assert_allclose(standardized.std(axis=0), [1.0, 1.0], rtol=1e-12, err_msg="std at 1e100")
    np.testing.assert_allclose(
        standardizer.inverse_transform(standardized), data, rtol=1e-12, err_msg="round trip at 1e100"
    )


def test_standardizer_values_beyond_square_overflow():
    # Squaring 1e200 overflows float64, so a naive standard deviation would be infinite.
    data = np.array([[1e200], [-1e200], [3e200]])
    standardizer = Standardizer.fit(data)

    np.testing.assert_allclose(standardizer.mean, [1e200], rtol=1e-12, err_msg="mean at 1e200")
    np.testing.assert_allclose(standardizer.scale, [np.sqrt(8.0 / 3.0) * 1e200], rtol=1e-12, err_msg="scale at 1e200")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (np.array([1.0, 2.0]), "2-D"),
        (np.zeros((0, 2)), "non-empty"),
        (np.array([[1.0], [np.nan]]), "finite"),
        (np.array([[1.0], [np.inf]]), "finite"),
    ],
)
def test_standardizer_fit_rejects(data, expected):
    with pytest.raises(DatasetError, match=expected):
        Standardizer.fit(data)


def test_standardizer_transform_wrong_columns():
    standardizer = Standardizer.fit(np.array([[1.0, 2.0], [3.0, 5.0]]))

    with pytest.raises(DatasetError, match=r"shape \(n_samples, 2\)"):
        standardizer.transform(np.zeros((3, 1)))
    with pytest.raises(DatasetError, match=r"shape \(n_samples, 2\)"):
        standardizer.inverse_transform(np.zeros(2))


@pytest.mark.parametrize("scale", [[0.0], [-1.0], [np.inf]])
def test_standardizer_rejects_bad_scale(scale):
    with pytest.raises(DatasetError, match="scale"):
        Standardizer(mean=np.zeros(1), scale=np.array(scale))


# ---------------------------------------------------------------------------------------------------
# CSV upload, stage 1: read_csv
# ---------------------------------------------------------------------------------------------------


_LIMIT = 5_000_000


@pytest.mark.parametrize(
    ("data", "max_bytes", "keyword"),
    [
        pytest.param(b"", _LIMIT, "empty", id="empty"),
        pytest.param(b"\n \n\r\n", _LIMIT, "empty", id="blank-lines"),
        pytest.param(b"\xef\xbb\xbf", _LIMIT, "empty", id="bom-only"),
        pytest.param(b"a,b\n", _LIMIT, "header", id="header-only"),
        pytest.param(b"a,b\n1,2\n", _LIMIT, "row", id="one-row"),
        pytest.param("x,y\n1,caf\xe9\n2,3\n".encode("latin-1"), _LIMIT, "UTF-8", id="latin-1"),
        pytest.param("a,b\n1,2\n3,4\n".encode("utf-16"), _LIMIT, "UTF-8", id="utf-16"),
        pytest.param(b"a,b\n" + b"1,2\n" * 20, 50, "size", id="too-big"),
        pytest.param(b"a,b\n1,2\n3,4,5\n6,7\n", _LIMIT, "line 3", id="extra-field"),
        pytest.param(b"a,b\n1,2,\n3,4,\n", _LIMIT, "line 2", id="trailing-comma"),
        pytest.param(b'a,b\n1,2\n3,"4\n', _LIMIT, "not valid CSV", id="open-quote"),
        pytest.param(b"name,city\nann,oslo\nbob,rome\n", _LIMIT, "numeric", id="text-only"),
        pytest.param(b"flag,x\nTrue,a\nFalse,b\n", _LIMIT, "numeric", id="booleans"),
        pytest.param(b"a;b\n1;2\n3;4\n", _LIMIT, "semicolon", id="semicolons"),
        pytest.param(b"a, a\n1,2\n3,4\n", _LIMIT, "named", id="duplicate-after-strip"),
        pytest.param(b"a,a\n1,2\n3,4\n", _LIMIT, "named", id="exact-duplicate"),
    ],
)
def test_read_csv_bad_file(data, max_bytes, keyword):
    with pytest.raises(DatasetError) as caught:
        read_csv(data, max_bytes=max_bytes)
    assert keyword.lower() in str(caught.value).lower()


def test_read_csv_size_limit_inclusive():
    data = b"a,b\n1,2\n3,4\n"

    frame = read_csv(data, max_bytes=len(data))

    assert len(frame) == 2


@pytest.mark.parametrize("max_bytes", [0, -5, 1.5, True])
def test_read_csv_bad_max_bytes(max_bytes):
    with pytest.raises(DatasetError, match="max_bytes"):
        read_csv(b"a,b\n1,2\n3,4\n", max_bytes=max_bytes)


def test_read_csv_rejects_text():
    with pytest.raises(DatasetError, match="bytes"):
        read_csv("a,b\n1,2\n3,4\n")


def test_read_csv_with_bom():
    frame = read_csv(b"\xef\xbb\xbfx,y\n1,2\n2,4\n3,7\n")

    assert list(frame.columns) == ["x", "y"]
    np.testing.assert_array_equal(frame["x"].to_numpy(), [1, 2, 3], err_msg="x after BOM")


def test_read_csv_strips_header_whitespace():
    frame = read_csv(b" x ,\ty , z\n1, 2,3\n4 ,5, 6\n")

    assert list(frame.columns) == ["x", "y", "z"]
    assert numeric_columns(frame) == ["x", "y", "z"]


def test_read_csv_windows_line_endings():
    frame = read_csv(b"x,y\r\n1,2\r\n3,4\r\n")

    assert list(frame.columns) == ["x", "y"]
    assert len(frame) == 2


def test_read_csv_keeps_na_text():
    frame = read_csv(b"price,size\n1,2\nn/a,3\n4,\n")

    assert frame["price"].iloc[1] == "n/a"
    assert pd.isna(frame["size"].iloc[2])


# ---------------------------------------------------------------------------------------------------
# CSV upload, stage 2: numeric_columns and dataset_from_frame
# ---------------------------------------------------------------------------------------------------


def test_numeric_columns_ignores_text():
    frame = read_csv(b"city,x,note,y\noslo,1,hi,2\nrome,2,yo,4\nlima,3,ok,7\n")

    assert numeric_columns(frame) == ["x", "y"]


def test_numeric_columns_lists_mostly_numeric():
    frame = read_csv(b"price,flag,empty,x\n1,True,,1\nn/a,False,,2\n3,True,,3\n")

    assert numeric_columns(frame) == ["price", "x"]


def test_extra_text_columns_ignored():
    frame = read_csv(b"city,x,note,y\noslo,1,hi,2\nrome,2,yo,4\nlima,3,ok,7\n")
    dataset = dataset_from_frame(frame, ["x"], "y", "cities.csv")

    np.testing.assert_array_equal(dataset.X, [[1.0], [2.0], [3.0]], err_msg="X from x")
    np.testing.assert_array_equal(dataset.y, [[2.0], [4.0], [7.0]], err_msg="y from y")
    assert dataset.feature_names == ("x",)
    assert dataset.target_names == ("y",)
    assert dataset.name == "cities.csv"


def test_dataset_from_frame_keeps_input_order():
    frame = read_csv(b"a,b,c\n1,10,5\n2,30,6\n3,20,8\n")
    dataset = dataset_from_frame(frame, ["c", "a"], "b", "abc.csv")

    np.testing.assert_array_equal(dataset.X, [[5.0, 1.0], [6.0, 2.0], [8.0, 3.0]], err_msg="X columns c, a")
    assert dataset.feature_names == ("c", "a")


def test_dataset_from_frame_ignores_index_labels():
    frame = pd.DataFrame({"x": [1.0, 2.0, None], "y": [1.0, 2.0, 3.0]}, index=[10, 20, 30])

    with pytest.raises(DatasetError, match=r"row 4 \(counting the header as row 1\)"):
        dataset_from_frame(frame, ["x"], "y", "d")


# Five valid data rows. A sixth data row appended to them is spreadsheet row 7, because the header is row 1.
_GOOD_ROWS = "1,10,5\n2,20,5\n3,30,6\n4,40,7\n5,50,8\n"


@pytest.mark.parametrize(
    ("text", "inputs", "target", "keywords"),
    [
        ("x,y\n1,2\n2,3\n", [], "y", ["input"]),
        ("x,y\n1,2\n2,3\n", ["x", "y"], "y", ["target", '"y"']),
        ("x,y\n1,2\n2,3\n", ["x", "x"], "y", ["more than once"]),
        ("x,y\n1,2\n2,3\n", ["z"], "y", ["not in the data", '"z"']),
        ("x,y\n1,2\n2,3\n", ["x"], "w", ["not in the data", '"w"']),
        (
            "price,a,y\n" + _GOOD_ROWS + "n/a,60,9\n",
            ["price"],
            "y",
            ["non-numeric", '"price"', '"n/a"', "row 7"],
        ),
        ("a,y,note\n1,2,hello\n2,3,world\n", ["a"], "note", ["non-numeric", '"note"', '"hello"', "row 2"]),
        ("a,y\n1,2\n,3\n3,4\n,5\n", ["a"], "y", ["missing", '"a"', "2 rows", "row 3"]),
        ("a,y\n1,2\n2,3\n3,\n", ["a"], "y", ["missing", '"y"', "1 row", "row 4"]),
        ("a,b,y\n1,4,2\n2,4,3\n3,4,5\n", ["a", "b"], "y", ["constant", '"b"', "information"]),
        ("a,y\n1,2\n2,2\n3,2\n", ["a"], "y", ["constant", '"y"', "target"]),
        ("a,y\n1,2\n2e120,3\n3,4\n", ["a"], "y", ["large", '"a"', "2e+120", "row 3", "rescale"]),
        ("a,y\n1,2\n-5e101,3\n3,4\n", ["a"], "y", ["large", "-5e+101"]),
        ("a,y\n1,2\ninf,3\n3,4\n", ["a"], "y", ["infinite", "inf", "row 3"]),
        ("a,y\n1,2\nnan,3\n3,4\n", ["a"], "y", ["non-numeric", '"nan"']),
        ("a,y\n1e-120,2\n-3e-120,3\n0,4\n", ["a"], "y", ["small", '"a"', "3e-120"]),
        ("a,y\n1,2\n1.0000000000000002,3\n", ["a"], "y", ["constant", "differ by less than"]),
    ],
    ids=[
        "no-input",
        "target-is-input",
        "input-twice",
        "unknown-input",
        "unknown-target",
        "non-numeric-row-7",
        "text-target",
        "missing-input",
        "missing-target",
        "constant-input",
        "constant-target",
        "large",
        "large-negative",
        "infinite",
        "nan-text",
        "too-small",
        "nearly-constant",
    ],
)
def test_dataset_from_frame_bad_choice(text, inputs, target, keywords):
    frame = read_csv(text.encode("utf-8"))

    with pytest.raises(DatasetError) as caught:
        dataset_from_frame(frame, inputs, target, "test.csv")
    message = str(caught.value)
    for keyword in keywords:
        assert keyword.lower() in message.lower(), f"{keyword!r} not in {message!r}"


def test_dataset_from_frame_through_read_csv():
    frame = read_csv(("price,size\n" + "1,2\n2,3\n3,5\n4,6\n5,9\n6,9\n" + "n/a,4\n").encode())

    with pytest.raises(DatasetError, match=r'"n/a" in row 8'):
        dataset_from_frame(frame, ["price"], "size", "houses.csv")


def test_dataset_from_frame_too_many_rows():
    n_rows = MAX_ROWS + 1
    frame = pd.DataFrame({"x": np.arange(n_rows, dtype=float), "y": np.arange(n_rows, dtype=float) * 2})

    with pytest.raises(DatasetError) as caught:
        dataset_from_frame(frame, ["x"], "y", "big.csv")
    assert "10,001 rows" in str(caught.value)
    assert "sample" in str(caught.value)


def test_dataset_from_frame_max_rows_accepted():
    frame = pd.DataFrame({"x": np.arange(MAX_ROWS, dtype=float), "y": np.arange(MAX_ROWS, dtype=float) * 2})

    assert dataset_from_frame(frame, ["x"], "y", "big.csv").n_samples == MAX_ROWS


def test_dataset_from_frame_too_few_rows():
    frame = pd.DataFrame({"x": [1.0], "y": [2.0]})

    with pytest.raises(DatasetError, match="1 row"):
        dataset_from_frame(frame, ["x"], "y", "one.csv")


def test_dataset_from_frame_rejects_booleans():
    frame = pd.DataFrame({"flag": [True, False, True], "y": [1.0, 2.0, 3.0]})

    with pytest.raises(DatasetError, match=r'non-numeric value "True" in row 2'):
        dataset_from_frame(frame, ["flag"], "y", "flags.csv")


def test_dataset_from_frame_accepts_1e100():
    frame = pd.DataFrame({"x": [1e100, -1e100, 0.0], "y": [1.0, 2.0, 3.0]})
    dataset = dataset_from_frame(frame, ["x"], "y", "edge.csv")

    np.testing.assert_array_equal(dataset.X[:, 0], [1e100, -1e100, 0.0], err_msg="X at the 1e100 limit")


@settings(max_examples=80, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 12), st.just(2)),
        elements=st.floats(-1e100, 1e100, allow_nan=False, allow_infinity=False),
    )
)
def test_accepted_frame_can_be_standardized(values):
    frame = pd.DataFrame(values, columns=["x", "y"])
    try:
        dataset = dataset_from_frame(frame, ["x"], "y", "random.csv")
    except DatasetError as error:
        # Random values in range can only fail the constant and too-small rules.
        assert "constant" in str(error) or "too small" in str(error)
        return

    for field, data in (("X", dataset.X), ("y", dataset.y)):
        standardized = Standardizer.fit(data).transform(data)
        assert np.all(np.isfinite(standardized)), field


# ---------------------------------------------------------------------------------------------------
# Real datasets and the choice registry
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "n_rows", "n_features"),
    [("engel", 235, 1), ("stackloss", 21, 3)],
)
def test_real_dataset_loads(key, n_rows, n_features):
    dataset = load_real_dataset(key)

    assert dataset.X.shape == (n_rows, n_features)
    assert dataset.y.shape == (n_rows, 1)
    assert REAL_DATASETS[key].n_rows == n_rows
    assert np.all(np.isfinite(dataset.X))
    assert np.all(np.isfinite(dataset.y))
    assert dataset.feature_names == REAL_DATASETS[key].input_columns
    assert dataset.target_names == (REAL_DATASETS[key].target_column,)
    assert dataset.description == REAL_DATASETS[key].description


def test_engel_first_row():
    dataset = load_real_dataset("engel")

    np.testing.assert_allclose(dataset.X[0], [420.157650843928], err_msg="engel income, first row")
    np.testing.assert_allclose(dataset.y[0], [255.839424594576], err_msg="engel foodexp, first row")


def test_stackloss_first_row():
    dataset = load_real_dataset("stackloss")

    np.testing.assert_array_equal(dataset.X[0], [80.0, 27.0, 89.0], err_msg="stackloss inputs, first row")
    np.testing.assert_array_equal(dataset.y[0], [42.0], err_msg="stackloss target, first row")


@pytest.mark.parametrize("key", sorted(REAL_DATASETS))
def test_real_dataset_round_trip(key):
    dataset = load_real_dataset(key)

    for field, data in (("X", dataset.X), ("y", dataset.y)):
        standardizer = Standardizer.fit(data)
        standardized = standardizer.transform(data)
        np.testing.assert_allclose(standardized.mean(axis=0), 0.0, atol=1e-12, err_msg=f"{key} {field} mean")
        np.testing.assert_allclose(standardized.std(axis=0), 1.0, rtol=1e-12, err_msg=f"{key} {field} std")
        np.testing.assert_allclose(
            standardizer.inverse_transform(standardized), data, rtol=1e-12, err_msg=f"{key} {field} round trip"
        )


@pytest.mark.parametrize("key", sorted(REAL_DATASETS))
def test_real_dataset_documented(key):
    file_name = REAL_DATASETS[key].file_name
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((DATA_DIR / file_name).read_bytes()).hexdigest()

    assert f"## {file_name}" in readme
    assert digest in readme, f"SHA-256 of {file_name} is not the one listed in data/README.md"


def test_real_dataset_unknown_name():
    with pytest.raises(DatasetError, match="name must be one of"):
        load_real_dataset("iris")


def test_choices_order_and_sources():
    labels = list(DATASET_CHOICES)
    sources = [choice.source for choice in DATASET_CHOICES.values()]

    assert labels[0] == make_tiny().name
    assert sources == ["tiny"] + ["generated"] * len(REGRESSION_KINDS) + ["real"] * len(REAL_DATASETS)
    assert [DATASET_CHOICES[label].uses_generator_settings for label in labels] == [s == "generated" for s in sources]


@pytest.mark.parametrize("label", list(DATASET_CHOICES))
def test_every_choice_loads(label):
    dataset = load_choice(label, n_points=20, noise=0.2, seed=4)

    assert dataset.name == label
    assert dataset.n_samples >= 2
    assert np.all(np.isfinite(dataset.X))
    assert np.all(np.isfinite(dataset.y))


def test_choice_passes_generator_settings():
    dataset = load_choice(REGRESSION_LABELS["sine"], n_points=33, noise=0.0, seed=0)

    assert dataset.n_samples == 33
    np.testing.assert_array_equal(dataset.y[:, 0], np.sin(dataset.X[:, 0]), err_msg="sine via load_choice")


def test_choice_unknown_label():
    with pytest.raises(DatasetError, match="label must be one of"):
        load_choice("Spiral")
