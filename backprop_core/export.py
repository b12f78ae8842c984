"""Export of a training run's history as CSV, and of the lab's settings as JSON.

The history CSV has one row per step, from step 0 (the initial parameters) to the last step
taken. Its columns are ``step``, ``epoch``, ``learning_rate``, ``cost_before_step`` and then
one column per parameter, named as in ``Network.parameter_names`` (``W1[0,0]``, ``b1[0]``, ...).
Costs, epochs and learning rates are exact for every step. Parameters are known only at the
steps whose snapshot the history kept (see `backprop_core.history.History`), and at the last
step, so the parameter cells of the other rows are empty. An empty cell therefore always
means "not recorded"; a recorded NaN is written as ``nan`` and infinities as ``inf`` and
``-inf``. Every number is written with the shortest text that reads back to the same
float64, so ``float(cell) == value`` holds for every cell.

The settings file is a small JSON envelope around a dict of plain values::

    {"format": "backprop-lab-settings", "settings": {...}, "version": 1}

This module checks only the envelope. The caller validates each setting.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .history import History
from .session import TrainingSession

__all__ = [
    "MAX_SETTINGS_BYTES",
    "SETTINGS_FORMAT",
    "SETTINGS_VERSION",
    "STEP_COLUMNS",
    "SettingsFileError",
    "history_csv",
    "history_csv_note",
    "parameter_table",
    "settings_from_json",
    "settings_json",
    "step_table",
]

FloatArray = NDArray[np.float64]

#: The columns before the parameter columns, in order.
STEP_COLUMNS = ("step", "epoch", "learning_rate", "cost_before_step")

SETTINGS_FORMAT = "backprop-lab-settings"
SETTINGS_VERSION = 1

#: The largest settings file read or written, in bytes of UTF-8 text. A file of the lab's
#: settings takes well under 1 KB, so this only stops uploads that cannot be settings files.
MAX_SETTINGS_BYTES = 64 * 1024

# Received values quoted in error messages are cut to this many characters.
_MAX_QUOTED_CHARACTERS = 40


# ---------------------------------------------------------------------------
# History as tables
# ---------------------------------------------------------------------------


def step_table(history: History) -> pd.DataFrame:
    """Build the table of what the history records exactly for every step.

    Parameters
    ----------
    history : History
        The record of a run with ``n_steps`` steps.

    Returns
    -------
    pandas.DataFrame
        ``n_steps + 1`` rows, one per step from 0, and the columns of `STEP_COLUMNS`:
        ``step`` (int64), ``epoch`` (nullable Int64, counted from 1), ``learning_rate`` and
        ``cost_before_step`` (float64). ``cost_before_step`` is the cost of the step's batch
        measured before its update (``History.costs``). Row 0 stands for the initial state,
        before any step, so its epoch, rate and cost are missing (``<NA>`` and NaN).
    """
    n_steps = len(history)
    epochs = pd.array([None, *history.epochs.tolist()], dtype="Int64")
    return pd.DataFrame(
        {
            "step": np.arange(n_steps + 1, dtype=np.int64),
            "epoch": epochs,
            "learning_rate": np.concatenate([[np.nan], history.learning_rates]),
            "cost_before_step": np.concatenate([[np.nan], history.costs]),
        }
    )


def parameter_table(
    history: History,
    parameter_names: Sequence[str] | None = None,
    *,
    latest_parameters: ArrayLike | None = None,
) -> pd.DataFrame:
    """Build the table of the parameters at every step where they are known.

    These steps are the history's kept snapshots, where step 0 contains the initial values.
    When ``latest_parameters`` is given, the last step is one of them too, with those values.

    Parameters
    ----------
    history : History
        The record of a run with ``n_steps`` steps and ``n_parameters`` parameters.
    parameter_names : sequence of str or None, default None
        Column names, ``(n_parameters,)``, in ``Network.parameters_vector`` order. None uses
        ``history.parameter_names``. They must be unique, must not repeat a name of
        `STEP_COLUMNS`, and must not contain line breaks.
    latest_parameters : array_like or None, default None
        The parameters after the last step, ``(n_parameters,)``, for example
        ``network.parameters_vector()``. They replace a kept snapshot of that step.

    Returns
    -------
    pandas.DataFrame
        One row per known step, in step order: the column ``step`` (int64), then one
        float64 column per parameter.

    Raises
    ------
    ValueError
        If the names or ``latest_parameters`` do not match the history's parameters.
    """
    steps, values = history.snapshot_steps, history.snapshot_values
    n_parameters = values.shape[1]
    names = _checked_parameter_names(parameter_names, history, n_parameters)

    if latest_parameters is not None:
        latest = np.asarray(latest_parameters, dtype=np.float64)
        if latest.shape != (n_parameters,):
            raise ValueError(
                f"latest_parameters must have shape ({n_parameters},), one value per parameter "
                f"of the history; got shape {latest.shape}. Pass network.parameters_vector()."
            )
        last_step = len(history)
        if steps[-1] == last_step:
            values[-1] = latest
        else:
            steps = np.append(steps, last_step)
            values = np.vstack([values, latest])

    table = pd.DataFrame(values, columns=names)
    table.insert(0, "step", steps)
    return table


def _checked_parameter_names(
    parameter_names: Sequence[str] | None, history: History, n_parameters: int
) -> list[str]:
    names = list(history.parameter_names if parameter_names is None else parameter_names)
    if len(names) != n_parameters:
        raise ValueError(
            f"parameter_names must contain one name per parameter of the history, "
            f"{n_parameters}; got {len(names)}. Pass network.parameter_names()."
        )
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"parameter_names must contain strings; got {_quoted(name)}.")
        if "\n" in name or "\r" in name:
            raise ValueError(
                f"parameter_names must not contain line breaks; got {_quoted(name)}. "
                "Use names such as W1[0,0]."
            )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"parameter_names must be unique; these repeat: {repeated}.")
    clashing = sorted(set(names) & set(STEP_COLUMNS))
    if clashing:
        raise ValueError(
            f"parameter_names must not reuse the step columns {list(STEP_COLUMNS)}; "
            f"got {clashing}. Rename those parameters."
        )
    return names


# ---------------------------------------------------------------------------
# History as CSV
# ---------------------------------------------------------------------------


def history_csv(session: TrainingSession) -> str:
    """Write the session's training history as CSV text, one row per step from step 0.

    The columns are ``step, epoch, learning_rate, cost_before_step`` and then one column per
    parameter, named by ``network.parameter_names()``, holding the parameters after that
    step. Row 0 contains the initial parameters and empty epoch, rate and cost cells. Parameter
    cells are empty on steps whose snapshot the history dropped, and the last step's row
    contains ``session.network.parameters_vector()``. There is one header line and no comment
    lines. `history_csv_note` describes the thinning in words.

    Parameters
    ----------
    session : TrainingSession
        The run to export. Only its trainer's history and current network are read.

    Returns
    -------
    str
        CSV text with ``"\\n"`` line endings, ``n_steps + 2`` lines including the header,
        ending with a line break. Floats are written with the shortest text that reads back
        to the same float64.
    """
    network = session.network
    return _history_csv_text(
        session.trainer.history,
        network.parameter_names(),
        network.parameters_vector(),
    )


def _history_csv_text(
    history: History, parameter_names: Sequence[str], latest_parameters: FloatArray
) -> str:
    steps = step_table(history)
    parameters = parameter_table(history, parameter_names, latest_parameters=latest_parameters)

    # Empty cells mean "not recorded", so a recorded NaN must be written as text. Row 0 has
    # nothing recorded in these columns, and every other row has.
    for column in ("learning_rate", "cost_before_step"):
        recorded_nan = steps[column].isna().to_numpy().copy()
        recorded_nan[0] = False
        if recorded_nan.any():
            as_objects = steps[column].astype(object)
            as_objects[recorded_nan] = "nan"
            steps[column] = as_objects

    # The step columns and the parameter block are written separately and joined line by
    # line. A dense table of every step and every parameter, mostly NaN, would take
    # 8 bytes × n_steps × n_parameters (80 MB for 100,000 steps and 100 parameters).
    step_lines = steps.to_csv(index=False, na_rep="", lineterminator="\n").split("\n")
    parameter_lines = (
        parameters.drop(columns="step")
        .to_csv(index=False, na_rep="nan", lineterminator="\n")
        .split("\n")
    )
    n_parameters = parameters.shape[1] - 1
    empty_cells = "," * n_parameters

    lines = [step_lines[0] + "," + parameter_lines[0]]
    tails = [empty_cells] * len(steps)
    for step, line in zip(parameters["step"].tolist(), parameter_lines[1:]):
        tails[step] = "," + line
    lines.extend(head + tail for head, tail in zip(step_lines[1 : len(steps) + 1], tails))
    return "\n".join(lines) + "\n"


def history_csv_note(session: TrainingSession) -> str:
    """Describe in words which rows of `history_csv` hold parameters, and why.

    Parameters
    ----------
    session : TrainingSession
        The same session as passed to `history_csv`.

    Returns
    -------
    str
        One to three sentences for the page beside the download button.
    """
    history = session.trainer.history
    n_steps = len(history)
    if n_steps == 0:
        return "No steps taken yet: the only row is step 0, with the initial parameters."

    cost_sentence = "Each cost is that of the step's batch, measured before its update."
    parameter_steps = set(history.snapshot_steps.tolist()) | {n_steps}
    n_with_parameters = len(parameter_steps) - 1  # step 0 is not one of the steps taken
    if n_with_parameters == n_steps:
        return (
            f"Costs and parameters for all {_count(n_steps, 'step')}; row 0 contains the initial "
            f"parameters. {cost_sentence}"
        )

    stride = history.snapshot_stride
    spacing = f"one every {stride:,} steps"
    if n_steps % stride != 0:
        spacing += ", and the last step"
    return (
        f"Costs for all {_count(n_steps, 'step')}; parameters at {n_with_parameters:,} of "
        f"them ({spacing}), because the history thins its parameter snapshots to keep at "
        f"most {history.capacity:,}. Row 0 contains the initial parameters. {cost_sentence}"
    )


def _count(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


# ---------------------------------------------------------------------------
# Settings as JSON
# ---------------------------------------------------------------------------


class SettingsFileError(ValueError):
    """A settings file that cannot be read or written. The message states what to do."""


def settings_json(settings: Mapping[str, object]) -> str:
    """Write settings as the JSON text of a Backprop Lab settings file.

    Parameters
    ----------
    settings : mapping of str to plain values
        Strings, finite numbers, booleans, None, and lists and dicts of them. NumPy scalars
        are written as the matching Python numbers, and tuples as JSON arrays.

    Returns
    -------
    str
        ``{"format": "backprop-lab-settings", "settings": {...}, "version": 1}`` with sorted
        keys and an indent of 2, at most `MAX_SETTINGS_BYTES` bytes as UTF-8.

    Raises
    ------
    SettingsFileError
        If ``settings`` is not a mapping with string keys, a value cannot be written as
        JSON, or the text would be larger than `settings_from_json` accepts.
    """
    if not isinstance(settings, Mapping):
        raise SettingsFileError(
            f"settings must be a mapping of names to values; got {type(settings).__name__}. "
            "Pass a dict."
        )
    for key, value in settings.items():
        if not isinstance(key, str):
            raise SettingsFileError(
                f"settings keys must be strings; got {_quoted(key)} of type "
                f"{type(key).__name__}. Use the setting's name as the key."
            )
        try:
            json.dumps(value, allow_nan=False, default=_plain_value)
        except (TypeError, ValueError) as error:
            raise SettingsFileError(
                f"settings[{key!r}] cannot be written as JSON ({error}). Use strings, finite "
                "numbers, booleans, None, or lists and dicts of them."
            ) from None

    envelope = {"format": SETTINGS_FORMAT, "version": SETTINGS_VERSION, "settings": dict(settings)}
    text = json.dumps(envelope, sort_keys=True, indent=2, allow_nan=False, default=_plain_value)
    n_bytes = len(text.encode("utf-8"))
    if n_bytes > MAX_SETTINGS_BYTES:
        raise SettingsFileError(
            f"The settings take {n_bytes:,} bytes as JSON, more than the {MAX_SETTINGS_BYTES:,} "
            "that a settings file may have. Leave out large values such as data."
        )
    return text


def _plain_value(value: object) -> object:
    # json calls this only for objects it cannot write itself.
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not a plain value")


def settings_from_json(text: str | bytes) -> dict[str, object]:
    """Read the settings from the text of a Backprop Lab settings file.

    Only the envelope is checked: the size, the JSON syntax, the ``format`` and ``version``
    fields, and that ``settings`` is a JSON object. The values inside are returned as
    parsed, so the caller validates each of them.

    Parameters
    ----------
    text : str or bytes
        The file's content. Bytes must be UTF-8, and a leading byte order mark is skipped.

    Returns
    -------
    dict
        The ``settings`` object: string keys and plain values (str, int, float, bool,
        None, list, dict). JSON arrays come back as lists.

    Raises
    ------
    SettingsFileError
        If the text is larger than `MAX_SETTINGS_BYTES`, is not UTF-8, is not valid JSON,
        or contains NaN, an infinite number or a repeated key. Also if the envelope is
        invalid: not an object, another format or version, extra fields, or a ``settings``
        field that is not an object.
    """
    decoded = _decoded_settings_text(text)
    try:
        document = json.loads(
            decoded,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_object_without_repeated_keys,
        )
    except SettingsFileError:
        raise
    except json.JSONDecodeError as error:
        raise SettingsFileError(
            f"The settings file is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}. Choose a file saved by Backprop Lab."
        ) from None
    except (ValueError, RecursionError) as error:
        # For example an integer with more digits than Python converts, or deep nesting.
        raise SettingsFileError(
            f"The settings file could not be read as JSON ({type(error).__name__}: "
            f"{str(error)[:80]}). Choose a file saved by Backprop Lab."
        ) from None
    return _settings_in_envelope(document)


def _decoded_settings_text(text: str | bytes) -> str:
    if isinstance(text, (bytes, bytearray)):
        n_bytes = len(text)
    elif isinstance(text, str):
        # A character takes at least one byte, so a long string is rejected before encoding.
        n_bytes = len(text) if len(text) > MAX_SETTINGS_BYTES else len(text.encode("utf-8"))
    else:
        raise SettingsFileError(
            f"text must be str or bytes; got {type(text).__name__}. Pass the file's content."
        )
    if n_bytes > MAX_SETTINGS_BYTES:
        raise SettingsFileError(
            f"The settings file has {n_bytes:,} bytes or more, but a settings file may have at "
            f"most {MAX_SETTINGS_BYTES:,}. Choose a file saved by Backprop Lab."
        )
    if isinstance(text, str):
        return text.removeprefix("\ufeff")
    try:
        return bytes(text).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SettingsFileError(
            f"The settings file is not UTF-8 text (invalid byte at position {error.start}). "
            "Choose a file saved by Backprop Lab."
        ) from None


def _reject_constant(name: str) -> object:
    raise SettingsFileError(
        f"The settings file contains {name}, which is not a number in JSON. Use finite numbers."
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise SettingsFileError(
            f"The settings file contains the number {text[:_MAX_QUOTED_CHARACTERS]}, which is "
            "too large for a float. Use numbers within ±1.8e308."
        )
    return value


def _object_without_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise SettingsFileError(
                f"The settings file gives the key {_quoted(key)} twice in one object. "
                "Keep one of them."
            )
        result[key] = value
    return result


def _settings_in_envelope(document: object) -> dict[str, object]:
    if not isinstance(document, dict):
        raise SettingsFileError(
            f"A settings file must contain a JSON object; this one contains "
            f"{_json_type(document)}. Choose a file saved by Backprop Lab."
        )

    file_format = document.get("format")
    if file_format != SETTINGS_FORMAT:
        received = "no format field" if "format" not in document else f"format {_quoted(file_format)}"
        raise SettingsFileError(
            f"This is not a Backprop Lab settings file: it has {received}, expected format "
            f"{SETTINGS_FORMAT!r}. Choose a file saved by Backprop Lab."
        )

    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        received = "no version field" if "version" not in document else f"version {_quoted(version)}"
        raise SettingsFileError(
            f"The settings file has {received}; expected the whole number {SETTINGS_VERSION}. "
            "Choose a file saved by Backprop Lab."
        )
    if version != SETTINGS_VERSION:
        hint = "a newer version of Backprop Lab" if version > SETTINGS_VERSION else "an unknown version"
        raise SettingsFileError(
            f"The settings file has version {version}, written by {hint}; this version reads "
            f"version {SETTINGS_VERSION} only. Save the settings again from this version."
        )

    extra = sorted(set(document) - {"format", "version", "settings"})
    if extra:
        raise SettingsFileError(
            f"The settings file has unexpected fields {extra}; version {SETTINGS_VERSION} has "
            "only format, version and settings. Remove the others."
        )
    if "settings" not in document:
        raise SettingsFileError(
            "The settings file has no settings field. Choose a file saved by Backprop Lab."
        )
    settings = document["settings"]
    if not isinstance(settings, dict):
        raise SettingsFileError(
            f"The settings field must be a JSON object of names and values; got "
            f"{_json_type(settings)}. Choose a file saved by Backprop Lab."
        )
    return settings


def _json_type(value: object) -> str:
    """Name the JSON type of a parsed value, with its article, for messages."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _quoted(value: object) -> str:
    text = repr(value)
    if len(text) > _MAX_QUOTED_CHARACTERS:
        text = text[: _MAX_QUOTED_CHARACTERS - 1] + "…"
    return text
