"""Fuzz tests: the CSV loader and the Train page's charts never break on random input.

The CSV pipeline (`read_csv`, `numeric_columns`, `dataset_from_frame`) must end in a Dataset
or a single DatasetError whatever bytes arrive. Training random small networks at learning
rates up to 100 must never put NaN or infinity into a figure of the Train page, even when
training diverges. Hypothesis settings come from the profiles in tests/conftest.py.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backprop_core import ACTIVATIONS, INITIALIZERS, charts
from backprop_core.datasets import (
    Dataset,
    DatasetError,
    dataset_from_frame,
    numeric_columns,
    read_csv,
)
from backprop_core.session import NetworkSettings, TrainingSession

# ---------------------------------------------------------------------------
# CSV pipeline
# ---------------------------------------------------------------------------

# Cells chosen to stress a CSV reader: blanks, text, non-finite and overflowing numbers, quotes,
# separators and line breaks inside a cell, a byte order mark, and numbers written oddly.
AWKWARD_CELLS = [
    "", " ", "  ", "inf", "-inf", "Infinity", "-Infinity", "nan", "NaN", "NA", "n/a", "null",
    "None", "True", "false", "1e400", "-1e400", "1e308", "1e101", "-1e100", "1e-320", "0",
    "-0", "0x10", "1_000", "1,5", "1.5.5", "+3", ".5", "5.", "1e", "e5", '"', '""', '"1"',
    '"a,b"', '"unclosed', ",", ";", "\t", "\n", "\r", "\r\n", "\ufeff", "é", "数", "x", "y",
    "Unnamed: 0", "#", "#comment", "'", "\\", "\x00",
]

# Floats of every size as Python's repr writes them. NaN and infinities are included on purpose.
FLOAT_CELLS = st.floats(allow_nan=True, allow_infinity=True).map(repr)
INTEGER_CELLS = st.integers(min_value=-(10**30), max_value=10**30).map(str)
SMALL_NUMBER_CELLS = st.floats(min_value=-100, max_value=100, allow_nan=False).map(lambda value: f"{value:.3f}")
CELLS = st.one_of(
    st.sampled_from(AWKWARD_CELLS),
    FLOAT_CELLS,
    INTEGER_CELLS,
    SMALL_NUMBER_CELLS,
    SMALL_NUMBER_CELLS,
    st.text(max_size=6),
)
HEADER_CELLS = st.one_of(st.sampled_from(["x", "y", "z", "x1", "x2", "target", " x ", ""]), CELLS)


@st.composite
def csv_tables(draw: st.DrawFn) -> bytes:
    """A small table of random cells as CSV bytes, often malformed.

    Half the tables are clean (commas, a header, numbers in every cell) apart from up to
    three awkward cells, so that many reach `dataset_from_frame`. The others may lack a
    header, have ragged rows, use another separator or hold any cell at all. Any table may
    end without a newline or start with a byte order mark.
    """
    n_columns = draw(st.integers(min_value=1, max_value=5))
    n_rows = draw(st.integers(min_value=0, max_value=8))
    clean = draw(st.booleans())
    if clean:
        separator, ragged, has_header, cells = ",", False, True, SMALL_NUMBER_CELLS
    else:
        separator = draw(st.sampled_from([",", ",", ",", ", ", ";", "\t"]))
        ragged, has_header, cells = draw(st.booleans()), draw(st.booleans()), CELLS

    def row(row_cells: st.SearchStrategy[str]) -> list[str]:
        width = draw(st.integers(min_value=0, max_value=n_columns + 2)) if ragged else n_columns
        return draw(st.lists(row_cells, min_size=width, max_size=width))

    rows = [row(cells) for _ in range(n_rows)]
    if clean:
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            if rows:
                row_index = draw(st.integers(min_value=0, max_value=len(rows) - 1))
                column_index = draw(st.integers(min_value=0, max_value=n_columns - 1))
                rows[row_index][column_index] = draw(CELLS)
    if has_header:
        if clean:
            names = st.sampled_from(["x", "y", "z", "x1", "x2", "target"])
            rows.insert(0, draw(st.lists(names, min_size=n_columns, max_size=n_columns, unique=True)))
        else:
            rows.insert(0, row(HEADER_CELLS))

    lines = [separator.join(cells_of_row) for cells_of_row in rows]
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    if draw(st.booleans()):
        text += "\n"
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8")


def run_csv_pipeline(data: bytes, choose: st.DataObject) -> Dataset | None:
    """Take bytes through the three stages the Train page uses; return the Dataset or None.

    A DatasetError at any stage returns None. Any other exception propagates, so the test
    that calls this fails.
    """
    try:
        frame = read_csv(data)
    except DatasetError:
        event("rejected by read_csv")
        return None
    assert isinstance(frame, pd.DataFrame), f"read_csv returned {type(frame).__name__}"

    numeric = numeric_columns(frame)
    assert isinstance(numeric, list), f"numeric_columns returned {type(numeric).__name__}"
    # Half the time the choice is one the Train page can make: a numeric target and other
    # numeric columns as inputs. Otherwise any name goes, even one that is not in the frame.
    if len(numeric) >= 2 and choose.draw(st.booleans(), label="choice as the page makes it"):
        target = choose.draw(st.sampled_from(numeric), label="target column")
        others = [name for name in numeric if name != target]
        inputs = choose.draw(st.lists(st.sampled_from(others), min_size=1, unique=True), label="input columns")
    else:
        names = [*numeric, *[str(name) for name in frame.columns], "no such column"]
        target = choose.draw(st.sampled_from(names), label="target column")
        inputs = choose.draw(st.lists(st.sampled_from(names), max_size=4), label="input columns")
    try:
        dataset = dataset_from_frame(frame, inputs, target, name="fuzz.csv")
    except DatasetError:
        event("rejected by dataset_from_frame")
        return None
    event("Dataset built")
    return dataset


def check_dataset(dataset: Dataset | None) -> None:
    if dataset is None:
        return
    assert isinstance(dataset, Dataset), f"dataset_from_frame returned {type(dataset).__name__}"
    assert dataset.X.ndim == 2, f"X has shape {dataset.X.shape}"
    assert dataset.y.shape == (dataset.X.shape[0], 1), f"y has shape {dataset.y.shape}"
    assert dataset.X.shape[0] >= 2, f"only {dataset.X.shape[0]} rows were accepted"
    assert np.all(np.isfinite(dataset.X)), "X contains NaN or infinity"
    assert np.all(np.isfinite(dataset.y)), "y contains NaN or infinity"


# Characters of numeric CSV files, so that some random text looks like a table.
CSV_ALPHABET = "0123456789.,-+eE\n\r \"xyinfa;"

CSV_SETTINGS = settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])


@CSV_SETTINGS
@given(data=st.binary(max_size=300), choose=st.data())
def test_csv_random_bytes(data: bytes, choose: st.DataObject) -> None:
    check_dataset(run_csv_pipeline(data, choose))


@CSV_SETTINGS
@given(text=st.text(max_size=200) | st.text(CSV_ALPHABET, max_size=200), choose=st.data())
def test_csv_random_text(text: str, choose: st.DataObject) -> None:
    # surrogatepass keeps lone surrogates, which Hypothesis can draw, as (invalid) UTF-8 bytes.
    check_dataset(run_csv_pipeline(text.encode("utf-8", errors="surrogatepass"), choose))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(data=csv_tables(), choose=st.data())
def test_csv_malformed_tables(data: bytes, choose: st.DataObject) -> None:
    check_dataset(run_csv_pipeline(data, choose))


# ---------------------------------------------------------------------------
# Train page figures after random training
# ---------------------------------------------------------------------------


def non_finite_paths(node: object, path: str = "figure") -> list[str]:
    """Return the location of every NaN or infinity in a figure's JSON-like tree.

    Handles plain numbers, NumPy arrays and scalars, and Plotly's base64 arrays
    (``{"dtype": ..., "bdata": ...}``).
    """
    found: list[str] = []
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            array = np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"])
            found += non_finite_paths(array, path)
        else:
            for key, value in node.items():
                found += non_finite_paths(value, f"{path}.{key}")
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            found += non_finite_paths(value, f"{path}[{index}]")
    elif isinstance(node, np.ndarray):
        if node.dtype.kind in "fc":
            bad = np.flatnonzero(~np.isfinite(node.ravel()))
            found += [f"{path}[{index}]" for index in bad[:5]]
        elif node.dtype.kind == "O":
            found += non_finite_paths(node.ravel().tolist(), path)
    elif isinstance(node, (float, np.floating)) and not math.isfinite(float(node)):
        found.append(path)
    return found


def _plain_json(value: object) -> object:
    """Turn NumPy values into Python ones for json.dumps, keeping NaN and infinity as they are."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    raise TypeError(f"cannot turn {type(value).__name__} into JSON")


def assert_finite_figure(figure: go.Figure, name: str) -> None:
    tree = figure.to_plotly_json()
    bad = non_finite_paths(tree)
    assert not bad, f"{name} holds NaN or infinity at {bad[:5]}"
    # json.dumps with allow_nan=False raises ValueError on NaN or infinity anywhere.
    json.dumps(tree, allow_nan=False, default=_plain_json)


def build_train_page_figures(lab: TrainingSession, log_scale: bool, selected: list[str] | None) -> dict[str, go.Figure]:
    """Build the figures of the Train page with the same arguments as pages/train.py."""
    trainer, dataset = lab.trainer, lab.dataset
    steps, costs = lab.cost_series()
    figures = {
        "cost figure": charts.cost_figure(
            steps,
            costs,
            current_step=int(steps[-1]),
            current_cost=float(costs[-1]),
            log_scale=log_scale,
            divergence_step=trainer.divergence.step if trainer.divergence else None,
            cost_label="cost (MSE, standardised units)" if lab.settings.standardize else "cost",
        )
    }

    predicted = lab.predict(dataset.X)
    if dataset.X.shape[1] == 1:
        curve_x, curve_y = lab.fit_curve()
        figures["fit figure"] = charts.fit_figure_1d(
            dataset.X[:, 0],
            dataset.y[:, 0],
            predicted[:, 0],
            curve_x,
            curve_y,
            x_label=dataset.feature_names[0],
            y_label=dataset.target_names[0],
        )
    else:
        figures["fit figure"] = charts.fit_figure_scatter(
            dataset.y[:, 0], predicted[:, 0], target_label=dataset.target_names[0]
        )

    names = lab.network.parameter_names()
    snapshot_steps, values = lab.parameter_series()
    figures["weight figure"] = charts.weight_trajectory_figure(snapshot_steps, values, names, selected=selected)

    norms = trainer.history.gradient_norms
    figures["gradient size figure"] = charts.gradient_norms_figure(np.arange(1, norms.shape[0] + 1), norms)
    return figures


@st.composite
def random_datasets(draw: st.DrawFn) -> Dataset:
    """Random regression data with 1 to 3 inputs, from 2 to 40 rows, at scales 1e-6 to 1e99.

    The values come from a seeded NumPy generator, so every example can be replayed. Large
    scales without standardisation make training overflow, which the charts must survive.
    """
    n_samples = draw(st.integers(min_value=2, max_value=40), label="n_samples")
    n_features = draw(st.integers(min_value=1, max_value=3), label="n_features")
    x_exponent = draw(st.integers(min_value=-6, max_value=99), label="x scale exponent")
    y_exponent = draw(st.integers(min_value=-6, max_value=99), label="y scale exponent")
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1), label="data seed")

    rng = np.random.default_rng(seed)
    # uniform(-1, 1) keeps every value within ±10**99, below the 1e100 limit of the CSV loader.
    X = rng.uniform(-1.0, 1.0, size=(n_samples, n_features)) * 10.0**x_exponent
    signal = np.sin(3.0 * rng.uniform(-1.0, 1.0, size=n_features) @ (X / 10.0**x_exponent).T)
    y = (0.8 * signal + 0.2 * rng.uniform(-1.0, 1.0, size=n_samples)) * 10.0**y_exponent
    return Dataset(
        name="Fuzz",
        X=X,
        y=y.reshape(-1, 1),
        feature_names=tuple(f"x{index + 1}" for index in range(n_features)),
        target_names=("y",),
        description=f"{n_samples} random rows (seed {seed}).",
    )


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    dataset=random_datasets(),
    hidden_sizes=st.lists(st.integers(min_value=1, max_value=8), max_size=3).map(tuple),
    hidden_activation=st.sampled_from(list(ACTIVATIONS)),
    output_activation=st.sampled_from(list(ACTIVATIONS)),
    init=st.sampled_from(["auto", *INITIALIZERS]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    standardize=st.booleans(),
    log10_learning_rate=st.floats(min_value=-4.0, max_value=2.0),
    batch_size=st.none() | st.integers(min_value=1, max_value=40),
    n_steps=st.integers(min_value=0, max_value=40),
    log_scale=st.booleans(),
    choose=st.data(),
)
def test_train_figures_stay_finite(
    dataset: Dataset,
    hidden_sizes: tuple[int, ...],
    hidden_activation: str,
    output_activation: str,
    init: str,
    seed: int,
    standardize: bool,
    log10_learning_rate: float,
    batch_size: int | None,
    n_steps: int,
    log_scale: bool,
    choose: st.DataObject,
) -> None:
    network_settings = NetworkSettings(
        hidden_sizes=hidden_sizes,
        hidden_activation=hidden_activation,
        output_activation=output_activation,
        init=init,
        seed=seed,
        standardize=standardize,
    )
    lab = TrainingSession(dataset, network_settings, learning_rate=10.0**log10_learning_rate, batch_size=batch_size)

    done = lab.run(n_steps)

    assert done <= n_steps, f"run made {done} steps, {n_steps} were asked"
    assert lab.trainer.step_count == done, f"step count {lab.trainer.step_count} after {done} steps"
    event("training stopped" if lab.trainer.stopped else "training ran every step")
    if done < n_steps:
        assert lab.trainer.stopped, f"run stopped after {done} of {n_steps} steps without a divergence"

    names = lab.network.parameter_names()
    selected = choose.draw(st.none() | st.lists(st.sampled_from(names), unique=True), label="parameters drawn")
    figures = build_train_page_figures(lab, log_scale, selected)
    for name, figure in figures.items():
        assert_finite_figure(figure, name)


def test_finite_check_finds_nan() -> None:
    # The check above must be able to fail: a figure with a NaN in a NumPy array is caught.
    figure = go.Figure(go.Scatter(x=np.array([0.0, 1.0]), y=np.array([1.0, np.nan])))
    assert non_finite_paths(figure.to_plotly_json()) == ["figure.data[0].y[1]"]
