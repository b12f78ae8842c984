"""Tests for backprop_core.export: the history CSV and the settings file.

The CSV is parsed with the standard csv module, so a test reads the text exactly as a
spreadsheet or pandas would, and every number is compared with ``float(cell) == value``.
"""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_core.datasets import make_regression, make_tiny
from backprop_core.export import (
    MAX_SETTINGS_BYTES,
    SETTINGS_FORMAT,
    SETTINGS_VERSION,
    STEP_COLUMNS,
    SettingsFileError,
    history_csv,
    history_csv_note,
    parameter_table,
    settings_from_json,
    settings_json,
    step_table,
)
from backprop_core.history import DEFAULT_SNAPSHOT_CAPACITY, History
from backprop_core.session import NetworkSettings, TrainingSession

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def trained_session(n_steps: int, batch_size: int | None = None) -> TrainingSession:
    dataset = make_regression("sine", 12, 0.1, seed=3)
    session = TrainingSession(
        dataset, NetworkSettings(hidden_sizes=(3,), seed=7), learning_rate=0.05, batch_size=batch_size
    )
    session.run(n_steps)
    return session


def parse(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def session_with_history(history: History) -> TrainingSession:
    """A session whose trainer reports the given history, for values a Trainer never records."""
    session = TrainingSession(make_tiny(), NetworkSettings(hidden_sizes=()))
    session.trainer.history = history
    return session


# ---------------------------------------------------------------------------
# history_csv: layout
# ---------------------------------------------------------------------------


def test_csv_header_has_step_and_parameter_columns():
    session = trained_session(5)
    header, _ = parse(history_csv(session))
    assert header[:4] == list(STEP_COLUMNS), header[:4]
    assert header[4:] == session.network.parameter_names(), header[4:]


def test_csv_first_line_is_header():
    text = history_csv(trained_session(5))
    assert text.startswith("step,epoch,learning_rate,cost_before_step,"), text[:80]
    assert not text.startswith("#"), "comment line before the header"


def test_csv_one_row_per_step_from_zero():
    session = trained_session(7)
    _, rows = parse(history_csv(session))
    assert [row[0] for row in rows] == [str(step) for step in range(8)]


def test_csv_rows_have_equal_width():
    session = trained_session(2000)
    header, rows = parse(history_csv(session))
    widths = {len(row) for row in rows}
    assert widths == {len(header)}, f"row widths {widths}, header width {len(header)}"


def test_csv_ends_with_one_line_break():
    text = history_csv(trained_session(3))
    assert text.endswith("\n"), "no final line break"
    assert not text.endswith("\n\n"), "blank line at the end"
    assert "\r" not in text, "carriage return in the text"


def test_csv_step_zero_holds_initial_parameters():
    session = trained_session(4)
    _, rows = parse(history_csv(session))
    assert rows[0][1:4] == ["", "", ""], f"epoch, rate and cost of step 0: {rows[0][1:4]}"
    initial = session.initial_network.parameters_vector()
    assert [float(cell) for cell in rows[0][4:]] == initial.tolist(), "initial parameters"


def test_csv_before_any_step():
    session = trained_session(0)
    _, rows = parse(history_csv(session))
    assert len(rows) == 1, f"{len(rows)} rows before any step"
    current = session.network.parameters_vector()
    assert [float(cell) for cell in rows[0][4:]] == current.tolist(), "parameters at step 0"


# ---------------------------------------------------------------------------
# history_csv: exact values
# ---------------------------------------------------------------------------


def test_csv_step_columns_round_trip_exactly():
    session = trained_session(300, batch_size=5)
    history = session.trainer.history
    _, rows = parse(history_csv(session))
    epochs = [int(row[1]) for row in rows[1:]]
    rates = [float(row[2]) for row in rows[1:]]
    costs = [float(row[3]) for row in rows[1:]]
    assert epochs == history.epochs.tolist(), "epochs"
    assert rates == history.learning_rates.tolist(), "learning rates"
    assert costs == history.costs.tolist(), "costs before each step"


def test_csv_epochs_follow_mini_batches():
    # 12 examples in batches of 5 make 3 steps per epoch.
    session = trained_session(7, batch_size=5)
    _, rows = parse(history_csv(session))
    assert [row[1] for row in rows[1:]] == ["1", "1", "1", "2", "2", "2", "3"]


def test_csv_learning_rate_change_recorded():
    session = trained_session(3)
    session.set_learning_rate(0.125)
    session.run(2)
    _, rows = parse(history_csv(session))
    assert [row[2] for row in rows[1:]] == ["0.05", "0.05", "0.05", "0.125", "0.125"]


def test_csv_parameter_cells_round_trip_exactly():
    session = trained_session(2500)
    history = session.trainer.history
    _, rows = parse(history_csv(session))
    expected = dict(zip(history.snapshot_steps.tolist(), history.snapshot_values.tolist()))
    expected[len(history)] = session.network.parameters_vector().tolist()

    for step, row in enumerate(rows):
        cells = row[4:]
        if step in expected:
            assert [float(cell) for cell in cells] == expected[step], f"parameters at step {step}"
        else:
            assert cells == [""] * len(cells), f"step {step} has parameters but no snapshot"


def test_csv_thinned_history_leaves_cells_empty():
    session = trained_session(DEFAULT_SNAPSHOT_CAPACITY + 500)
    stride = session.trainer.history.snapshot_stride
    _, rows = parse(history_csv(session))
    with_parameters = [int(row[0]) for row in rows if row[4] != ""]
    assert stride == 2, f"snapshot stride {stride}"
    assert len(with_parameters) < len(rows), "no parameter cells left empty"
    assert with_parameters[0] == 0, "initial parameters missing"
    assert all(step % stride == 0 for step in with_parameters), f"steps {with_parameters[:10]}"
    assert rows[5][4:] == [""] * (len(rows[5]) - 4), "an odd step kept its parameters"


def test_csv_last_row_holds_current_parameters():
    session = trained_session(DEFAULT_SNAPSHOT_CAPACITY + 501)
    _, rows = parse(history_csv(session))
    current = session.network.parameters_vector().tolist()
    assert rows[-1][0] == str(DEFAULT_SNAPSHOT_CAPACITY + 501), rows[-1][0]
    assert [float(cell) for cell in rows[-1][4:]] == current, "parameters after the last step"


def test_csv_reads_back_with_pandas():
    session = trained_session(50)
    table = pd.read_csv(io.StringIO(history_csv(session)))
    names = session.network.parameter_names()
    assert list(table.columns) == [*STEP_COLUMNS, *names], list(table.columns)
    np.testing.assert_array_equal(
        table[names].iloc[-1].to_numpy(), session.network.parameters_vector(), err_msg="last row"
    )
    np.testing.assert_array_equal(
        table["cost_before_step"].to_numpy()[1:], session.trainer.history.costs, err_msg="costs"
    )


def test_csv_writes_extreme_floats_exactly():
    values = np.array([5e-324, -1.7976931348623157e308, 0.1, -0.0, 1 / 3])
    history = History(["W1[0,0]", "b1[0]"], values[:2], capacity=4)
    for cost, parameters in [(values[2], values[3:5]), (values[4], values[:2])]:
        history.record(cost, 1, values[2], parameters)
    _, rows = parse(history_csv(session_with_history(history)))
    assert [float(cell) for cell in rows[0][4:]] == values[:2].tolist(), "initial row"
    assert float(rows[1][3]) == values[2], "cost of step 1"
    assert math.copysign(1.0, float(rows[1][4])) == -1.0, "the sign of -0.0 is lost"
    assert float(rows[1][5]) == values[4], "b1[0] after step 1"


def test_csv_writes_recorded_nan_as_text():
    history = History(["W1[0,0]", "b1[0]"], np.zeros(2), capacity=8)
    history.record(float("nan"), 1, 0.1, np.array([np.nan, np.inf]))
    history.record(2.0, 1, 0.1, np.array([1.0, 2.0]))
    _, rows = parse(history_csv(session_with_history(history)))
    assert rows[1][3] == "nan", f"recorded NaN cost written as {rows[1][3]!r}"
    assert rows[1][4] == "nan", f"recorded NaN parameter written as {rows[1][4]!r}"
    assert rows[1][5] == "inf", f"recorded infinity written as {rows[1][5]!r}"
    assert rows[0][3] == "", "the cost of step 0 is not recorded, so its cell stays empty"


def test_csv_long_run_thinned_structure():
    # A long synthetic run, recorded directly, with a small snapshot capacity.
    n_steps, capacity = 20_000, 64
    rng = np.random.default_rng(11)
    history = History(["W1[0,0]", "b1[0]"], np.zeros(2), capacity=capacity)
    costs = rng.random(n_steps)
    for index in range(n_steps):
        history.record(costs[index], 1 + index // 100, 0.05, rng.normal(size=2))
    session = session_with_history(history)

    _, rows = parse(history_csv(session))
    with_parameters = [int(row[0]) for row in rows if row[4] != ""]
    assert len(rows) == n_steps + 1, f"{len(rows)} rows"
    assert len(with_parameters) <= capacity + 1, f"{len(with_parameters)} rows with parameters"
    assert with_parameters[-1] == n_steps, "last step without parameters"
    assert [float(row[3]) for row in rows[1:]] == costs.tolist(), "every cost kept"


# ---------------------------------------------------------------------------
# history_csv_note
# ---------------------------------------------------------------------------


def test_note_before_any_step():
    note = history_csv_note(trained_session(0))
    assert note == "No steps taken yet: the only row is step 0, with the initial parameters."


def test_note_without_thinning():
    note = history_csv_note(trained_session(10))
    assert note.startswith("Costs and parameters for all 10 steps;"), note


def test_note_with_thinning():
    session = trained_session(DEFAULT_SNAPSHOT_CAPACITY + 501)
    note = history_csv_note(session)
    n_with_parameters = sum(1 for row in parse(history_csv(session))[1][1:] if row[4] != "")
    assert note.startswith("Costs for all 1,525 steps;"), note
    assert f"parameters at {n_with_parameters:,} of them" in note, note
    assert "(one every 2 steps, and the last step)" in note, note
    assert "thins its parameter snapshots" in note, note


# ---------------------------------------------------------------------------
# step_table and parameter_table
# ---------------------------------------------------------------------------


def test_step_table_columns_and_types():
    table = step_table(trained_session(3).trainer.history)
    assert list(table.columns) == list(STEP_COLUMNS), list(table.columns)
    assert table["step"].dtype == np.int64, table["step"].dtype
    assert str(table["epoch"].dtype) == "Int64", table["epoch"].dtype
    assert table["epoch"].isna().tolist() == [True, False, False, False], "only step 0 lacks an epoch"
    assert np.isnan(table["cost_before_step"].iloc[0]), "step 0 has a cost"


def test_parameter_table_latest_replaces_snapshot():
    session = trained_session(4)
    history = session.trainer.history
    latest = np.arange(history.snapshot_values.shape[1], dtype=np.float64)
    table = parameter_table(history, latest_parameters=latest)
    assert table["step"].tolist() == [0, 1, 2, 3, 4], table["step"].tolist()
    np.testing.assert_array_equal(table.iloc[-1, 1:].to_numpy(dtype=float), latest, err_msg="last row")


def test_parameter_table_appends_latest_after_thinning():
    session = trained_session(DEFAULT_SNAPSHOT_CAPACITY + 1)
    history = session.trainer.history
    table = parameter_table(history, latest_parameters=session.network.parameters_vector())
    assert history.snapshot_steps[-1] != len(history), "test needs a last step without snapshot"
    assert table["step"].iloc[-1] == len(history), table["step"].iloc[-1]
    assert len(table) == len(history.snapshot_steps) + 1, f"{len(table)} rows"


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["a"], "one name per parameter"),
        (["W1[0,0]", "W1[0,0]"], "must be unique"),
        (["W1[0,0]", "step"], "must not reuse the step columns"),
        (["W1[0,0]", "b1\n[0]"], "must not contain line breaks"),
        (["W1[0,0]", 3], "must contain strings"),
    ],
)
def test_parameter_table_rejects_bad_names(names, message):
    history = History(["W1[0,0]", "b1[0]"], np.zeros(2))
    with pytest.raises(ValueError, match=message):
        parameter_table(history, names)


def test_parameter_table_rejects_wrong_latest_shape():
    history = History(["W1[0,0]", "b1[0]"], np.zeros(2))
    with pytest.raises(ValueError, match=r"latest_parameters must have shape \(2,\)"):
        parameter_table(history, latest_parameters=np.zeros(3))


# ---------------------------------------------------------------------------
# settings_json
# ---------------------------------------------------------------------------


def test_settings_json_envelope_text():
    text = settings_json({"seed": 3, "activation": "tanh"})
    expected = (
        "{\n"
        '  "format": "backprop-lab-settings",\n'
        '  "settings": {\n'
        '    "activation": "tanh",\n'
        '    "seed": 3\n'
        "  },\n"
        '  "version": 1\n'
        "}"
    )
    assert text == expected, text


def test_settings_json_writes_numpy_scalars_as_numbers():
    text = settings_json({"rate": np.float64(0.1), "seed": np.int64(4), "on": np.bool_(True)})
    settings = json.loads(text)["settings"]
    assert settings == {"rate": 0.1, "seed": 4, "on": True}, settings
    assert type(settings["seed"]) is int, type(settings["seed"])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate": float("nan")}, r"settings\['rate'\] cannot be written"),
        ({"rate": float("inf")}, r"settings\['rate'\] cannot be written"),
        ({"data": object()}, r"settings\['data'\] cannot be written"),
        ({"data": np.zeros(2)}, r"settings\['data'\] cannot be written"),
        ({3: "three"}, "keys must be strings"),
        ([("seed", 3)], "must be a mapping"),
        ({"data": "x" * MAX_SETTINGS_BYTES}, "more than the 65,536"),
    ],
)
def test_settings_json_rejects(settings, message):
    with pytest.raises(SettingsFileError, match=message):
        settings_json(settings)


# ---------------------------------------------------------------------------
# settings_from_json
# ---------------------------------------------------------------------------


MISSING = object()


def envelope(**fields) -> str:
    """A settings file's JSON with some fields replaced; MISSING leaves a field out."""
    document = {"format": SETTINGS_FORMAT, "version": SETTINGS_VERSION, "settings": {"seed": 1}}
    document.update(fields)
    return json.dumps({key: value for key, value in document.items() if value is not MISSING})


def test_settings_round_trip():
    settings = {"hidden_sizes": [8, 8], "learning_rate": 0.05, "shuffle": True, "init": None}
    assert settings_from_json(settings_json(settings)) == settings


def test_settings_from_bytes_with_byte_order_mark():
    data = b"\xef\xbb\xbf" + settings_json({"seed": 2}).encode("utf-8")
    assert settings_from_json(data) == {"seed": 2}


def test_settings_from_str_with_byte_order_mark():
    assert settings_from_json("\ufeff" + settings_json({"seed": 2})) == {"seed": 2}


def test_settings_error_is_value_error():
    assert issubclass(SettingsFileError, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "contains an array"),
        ('"settings"', "contains a string"),
        (envelope(format="other-app"), "not a Backprop Lab settings file: it has format 'other-app'"),
        (envelope(format=MISSING), "it has no format field"),
        (envelope(version=2), "written by a newer version"),
        (envelope(version=0), "written by an unknown version"),
        (envelope(version="1"), "has version '1'; expected the whole number 1"),
        (envelope(version=True), "has version True"),
        (envelope(version=1.0), "has version 1.0"),
        (envelope(version=MISSING), "has no version field"),
        (envelope(extra=1), "unexpected fields \\['extra'\\]"),
        (envelope(settings=MISSING), "has no settings field"),
        (envelope(settings=[1]), "must be a JSON object of names and values; got an array"),
        (envelope(settings=None), "got null"),
        (envelope(settings={"rate": float("nan")}), "contains NaN"),
        ('{"format": "backprop-lab-settings", "version": 1, "settings": {"rate": 1e999}}', "too large"),
        ('{"format": "backprop-lab-settings", "version": 1, "version": 1, "settings": {}}', "twice"),
        ("[" * 30_000 + "]" * 30_000, "could not be read as JSON"),
        ("1" * 5000, "could not be read as JSON"),
    ],
)
def test_settings_from_json_rejects(text, message):
    with pytest.raises(SettingsFileError, match=message):
        settings_from_json(text)


def test_settings_from_json_rejects_oversize_str():
    text = envelope(settings={"padding": "x" * MAX_SETTINGS_BYTES})
    with pytest.raises(SettingsFileError, match="at most 65,536"):
        settings_from_json(text)


def test_settings_from_json_rejects_oversize_bytes():
    data = envelope(settings={"padding": "x" * MAX_SETTINGS_BYTES}).encode("utf-8")
    with pytest.raises(SettingsFileError, match="at most 65,536"):
        settings_from_json(data)


def test_settings_from_json_counts_bytes_not_characters():
    # 30,000 three-byte characters are 90,000 bytes of UTF-8.
    text = envelope(settings={"label": "€" * 30_000}).replace("\\u20ac", "€")
    assert len(text) < MAX_SETTINGS_BYTES, "test text too long in characters"
    with pytest.raises(SettingsFileError, match="at most 65,536"):
        settings_from_json(text)


def test_settings_from_json_rejects_invalid_utf8():
    with pytest.raises(SettingsFileError, match="not UTF-8"):
        settings_from_json(b'{"format": "\xff"}')


def test_settings_from_json_rejects_other_types():
    with pytest.raises(SettingsFileError, match="text must be str or bytes"):
        settings_from_json(42)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=12), json_values, max_size=8))
def test_settings_round_trip_property(settings):
    assert settings_from_json(settings_json(settings)) == settings
