"""Datasets for the app: a tiny lesson set, generated 1-D regressions, shipped real data and user CSVs.

Every dataset arrives as a `Dataset` in original units. `Standardizer` rescales inputs and targets to
mean 0 and standard deviation 1 before training and maps predictions back afterwards.

A user's CSV goes through two stages. `read_csv` turns the uploaded bytes into a pandas DataFrame and
rejects files that cannot be data at all. `dataset_from_frame` checks the columns the user picked and
builds the `Dataset`. The shipped real datasets take the same two stages, so they meet the same rules.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

# Limits on generated data and uploads. They bound the work of one training step and the memory
# that one session's data can take.
MIN_POINTS = 2
MAX_POINTS = 5000
MAX_NOISE = 10.0
MAX_CSV_BYTES = 5_000_000
MAX_ROWS = 10_000
# Values beyond this magnitude are rejected, so that squared errors in original units stay finite
# in float64: a difference is at most 2e100, and its square 4e200 is below the 1.8e308 limit.
MAX_ABS_VALUE = 1e100
# A column whose largest magnitude is below this is rejected, so that its standard deviation
# cannot underflow to 0 (values near 5e-324 are subnormal in float64).
MIN_COLUMN_MAX_ABS = 1e-100
# A column whose standard deviation is below this fraction of its largest magnitude is treated as
# constant, because standardizing it would blow rounding noise up to unit size.
CONSTANT_RELATIVE_STD = 1e-12

X_RANGE = (-3.0, 3.0)

DATA_DIR = Path(__file__).resolve().parent / "data"

_VALUE_PREVIEW_CHARS = 40


class DatasetError(ValueError):
    """Bad data, with a message for the user that says what is wrong and what to do."""


# ---------------------------------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------------------------------


def _frozen_float_copy(values: ArrayLike, field: str) -> NDArray[np.float64]:
    """Copy `values` to a read-only float64 array, so no caller can change a stored dataset."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise DatasetError(f"{field} must contain only numbers, but converting it failed: {error}") from None
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs and targets of one regression problem, in original units.

    Attributes
    ----------
    name : str
        Label for the UI, for example "Tiny (4 examples)", "Sine" or "engel.csv".
    X : ndarray of shape (n_samples, n_features)
        Inputs, finite float64. Stored as a read-only copy.
    y : ndarray of shape (n_samples, n_targets)
        Targets, finite float64, 2-D even when n_targets is 1. Stored as a read-only copy.
    feature_names : tuple of str, length n_features
    target_names : tuple of str, length n_targets
    description : str
        One or two sentences for the UI.

    Raises
    ------
    DatasetError
        If X or y is not 2-D, they differ in n_samples, either is empty or not finite, or a
        names tuple does not match its array's column count.
    """

    name: str
    X: NDArray[np.float64]
    y: NDArray[np.float64]
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    description: str

    def __post_init__(self) -> None:
        X = _frozen_float_copy(self.X, "X")
        y = _frozen_float_copy(self.y, "y")
        for field, array in (("X", X), ("y", y)):
            if array.ndim != 2:
                raise DatasetError(
                    f"{field} must be 2-D with shape (n_samples, n_columns), got shape {array.shape}. "
                    "Reshape a single column with .reshape(-1, 1)."
                )
            if array.size == 0:
                raise DatasetError(f"{field} must have at least one row and one column, got shape {array.shape}.")
            if not np.all(np.isfinite(array)):
                raise DatasetError(f"{field} must contain only finite numbers, but it contains NaN or infinity.")
        if X.shape[0] != y.shape[0]:
            raise DatasetError(
                f"X and y must have the same number of rows, got {X.shape[0]} rows in X and {y.shape[0]} in y."
            )

        feature_names = tuple(str(name) for name in self.feature_names)
        target_names = tuple(str(name) for name in self.target_names)
        if len(feature_names) != X.shape[1]:
            raise DatasetError(
                f"feature_names must have one name per column of X ({X.shape[1]}), got {len(feature_names)}."
            )
        if len(target_names) != y.shape[1]:
            raise DatasetError(
                f"target_names must have one name per column of y ({y.shape[1]}), got {len(target_names)}."
            )

        # The dataclass is frozen, so the converted values go in through object.__setattr__.
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "feature_names", feature_names)
        object.__setattr__(self, "target_names", target_names)

    @property
    def n_samples(self) -> int:
        """Number of examples (rows)."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of input columns."""
        return int(self.X.shape[1])

    @property
    def n_targets(self) -> int:
        """Number of target columns."""
        return int(self.y.shape[1])


@dataclass(frozen=True, eq=False)
class Standardizer:
    """Per-column shift and scale: ``transform(v) = (v - mean) / scale``.

    Attributes
    ----------
    mean : ndarray of shape (n_columns,)
        Column means of the fitted data, or 0 where standardizing is disabled.
    scale : ndarray of shape (n_columns,)
        Column population standard deviations (ddof=0) of the fitted data, or 1.0 where
        standardizing is disabled. Always finite and positive.
    """

    mean: NDArray[np.float64]
    scale: NDArray[np.float64]

    def __post_init__(self) -> None:
        mean = _frozen_float_copy(self.mean, "mean")
        scale = _frozen_float_copy(self.scale, "scale")
        if mean.ndim != 1 or scale.shape != mean.shape:
            raise DatasetError(
                f"mean and scale must be 1-D arrays of the same length, got shapes {mean.shape} and {scale.shape}."
            )
        if not np.all(np.isfinite(mean)):
            raise DatasetError("mean must contain only finite numbers.")
        if not np.all(np.isfinite(scale) & (scale > 0)):
            raise DatasetError(f"scale must contain only finite positive numbers, got {scale.tolist()}.")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "scale", scale)

    @property
    def n_columns(self) -> int:
        """Number of columns this standardizer was fitted on."""
        return int(self.mean.shape[0])

    @classmethod
    def fit(cls, data: ArrayLike, enabled: bool = True) -> Standardizer:
        """Fit the column means and standard deviations of `data`.

        Parameters
        ----------
        data : array_like of shape (n_samples, n_columns)
            Finite values, for example `Dataset.X` or `Dataset.y`.
        enabled : bool
            If False, the result has mean 0 and scale 1, so transform and inverse_transform
            return their input unchanged. Shape and finiteness are still checked.

        Returns
        -------
        Standardizer

        Raises
        ------
        DatasetError
            If `data` is not 2-D, is empty or not finite, or (when `enabled`) a column is constant,
            meaning its standard deviation is at most 1e-12 times its largest magnitude, or a
            column's largest magnitude is below 1e-100. The message names the 0-based column index.

        Notes
        -----
        Each column is first divided by its largest magnitude, so every value lies in [-1, 1]
        while the mean and the squares are summed. Squaring 1e200 directly would overflow, but
        this way mean and scale stay finite for any finite input. transform's output is finite
        for inputs within ±1e100, the limit that `dataset_from_frame` enforces.
        """
        array = _as_finite_2d(data, "data")
        n_columns = array.shape[1]
        if not enabled:
            return cls(mean=np.zeros(n_columns), scale=np.ones(n_columns))

        max_abs = np.max(np.abs(array), axis=0)
        constant = _constant_columns(array, max_abs)
        if constant:
            index = constant[0]
            raise DatasetError(
                f"Column {index} is constant ({_constant_detail(array[:, index])}), so it cannot be "
                "standardized and carries no information. Remove that column."
            )
        too_small = np.flatnonzero(max_abs < MIN_COLUMN_MAX_ABS)
        if too_small.size:
            index = int(too_small[0])
            raise DatasetError(
                f"Column {index} has values too small to standardize: its largest magnitude is "
                f"{max_abs[index]:g}, below {MIN_COLUMN_MAX_ABS:g}. Multiply the column by a power of ten."
            )

        scaled = array / max_abs
        mean = scaled.mean(axis=0) * max_abs
        scale = scaled.std(axis=0) * max_abs
        return cls(mean=mean, scale=scale)

    def transform(self, data: ArrayLike) -> NDArray[np.float64]:
        """Return ``(data - mean) / scale`` as a new array of shape (n_samples, n_columns)."""
        array = self._check_columns(data)
        return (array - self.mean) / self.scale

    def inverse_transform(self, data: ArrayLike) -> NDArray[np.float64]:
        """Return ``data * scale + mean``, the inverse of `transform`, shape (n_samples, n_columns)."""
        array = self._check_columns(data)
        return array * self.scale + self.mean

    def _check_columns(self, data: ArrayLike) -> NDArray[np.float64]:
        array = np.asarray(data, dtype=np.float64)
        if array.ndim != 2 or array.shape[1] != self.n_columns:
            raise DatasetError(
                f"data must have shape (n_samples, {self.n_columns}), got shape {array.shape}. "
                "Pass the same columns that the standardizer was fitted on."
            )
        return array


def _as_finite_2d(data: ArrayLike, field: str) -> NDArray[np.float64]:
    array = np.asarray(data, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise DatasetError(
            f"{field} must be a non-empty 2-D array of shape (n_samples, n_columns), got shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise DatasetError(f"{field} must contain only finite numbers, but it contains NaN or infinity.")
    return array


def _constant_detail(column: NDArray[np.float64]) -> str:
    """Describe why a constant column counts as constant, for an error message."""
    if np.all(column == column[0]):
        return f"every value is {column[0]:g}"
    return f"its values differ by less than {CONSTANT_RELATIVE_STD:g} of their size"


def _constant_columns(array: NDArray[np.float64], max_abs: NDArray[np.float64]) -> list[int]:
    """Return the indices of columns of `array` (n_samples, n_columns) that count as constant."""
    constant = []
    for index in range(array.shape[1]):
        if max_abs[index] == 0.0:
            constant.append(index)
            continue
        relative_std = float(np.std(array[:, index] / max_abs[index]))
        if relative_std <= CONSTANT_RELATIVE_STD:
            constant.append(index)
    return constant


# ---------------------------------------------------------------------------------------------------
# Built-in data: the tiny lesson set and generated 1-D regressions
# ---------------------------------------------------------------------------------------------------

TINY_NAME = "Tiny (4 examples)"


def make_tiny() -> Dataset:
    """Return the first lesson's data: x = 0, 1, 2, 3 and y = 2x + 1, shapes (4, 1) and (4, 1)."""
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    return Dataset(
        name=TINY_NAME,
        X=x,
        y=2.0 * x + 1.0,
        feature_names=("x",),
        target_names=("y",),
        description="Four points on the line y = 2x + 1. One neuron with no activation can fit them exactly.",
    )


def _linear(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """y = 0.8x + 0.5"""
    return 0.8 * x + 0.5


def _quadratic(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """y = 0.5x² - 1"""
    return 0.5 * x**2 - 1.0


def _sine(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """y = sin(x)"""
    return np.sin(x)


def _absolute(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """y = |x| - 1"""
    return np.abs(x) - 1.0


def _step(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """y = -1 for x < 0 and y = 1 for x >= 0"""
    return np.where(x < 0.0, -1.0, 1.0)


# Target functions of the generated regressions, each mapping x of any shape to y of the same
# shape. The formulas are in REGRESSION_FORMULAS and in each function's docstring.
REGRESSION_KINDS: dict[str, Callable[[NDArray[np.float64]], NDArray[np.float64]]] = {
    "linear": _linear,
    "quadratic": _quadratic,
    "sine": _sine,
    "absolute": _absolute,
    "step": _step,
}

REGRESSION_LABELS: dict[str, str] = {
    "linear": "Linear",
    "quadratic": "Quadratic",
    "sine": "Sine",
    "absolute": "Absolute value",
    "step": "Step",
}

REGRESSION_FORMULAS: dict[str, str] = {
    "linear": "y = 0.8x + 0.5",
    "quadratic": "y = 0.5x² − 1",
    "sine": "y = sin(x)",
    "absolute": "y = |x| − 1",
    "step": "y = −1 if x < 0, else 1",
}


def _is_integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def make_regression(kind: str, n_points: int, noise: float, seed: int) -> Dataset:
    """Generate a noisy 1-D regression on evenly spaced x.

    ``x`` takes `n_points` evenly spaced values from -3 to 3, both ends included, so only the noise
    is random. ``y = f(x) + noise * e`` where f is ``REGRESSION_KINDS[kind]`` and e contains
    `n_points` standard normal draws from ``numpy.random.default_rng(seed)``. The same arguments
    always give identical arrays, and ``noise=0`` gives exactly ``f(x)``.

    Parameters
    ----------
    kind : str
        A key of REGRESSION_KINDS: "linear", "quadratic", "sine", "absolute" or "step".
    n_points : int
        Number of examples, from 2 to 5000.
    noise : float
        Standard deviation of the Gaussian noise added to y, in y's units, from 0 to 10.
    seed : int
        Non-negative seed of the noise draws.

    Returns
    -------
    Dataset
        X of shape (n_points, 1) and y of shape (n_points, 1).

    Raises
    ------
    DatasetError
        If an argument breaks the rules above. The message names the argument.
    """
    if not isinstance(kind, str) or kind not in REGRESSION_KINDS:
        raise DatasetError(f"kind must be one of {sorted(REGRESSION_KINDS)}, got {kind!r}.")
    if not _is_integer(n_points) or not MIN_POINTS <= n_points <= MAX_POINTS:
        raise DatasetError(f"n_points must be an integer from {MIN_POINTS} to {MAX_POINTS}, got {n_points!r}.")
    if not _is_real(noise) or not math.isfinite(noise) or not 0.0 <= noise <= MAX_NOISE:
        raise DatasetError(f"noise must be a finite number from 0 to {MAX_NOISE:g}, got {noise!r}.")
    if not _is_integer(seed) or seed < 0:
        raise DatasetError(f"seed must be a non-negative integer, got {seed!r}.")

    rng = np.random.default_rng(int(seed))
    x = np.linspace(X_RANGE[0], X_RANGE[1], int(n_points))
    y = REGRESSION_KINDS[kind](x) + float(noise) * rng.standard_normal(int(n_points))

    if noise > 0:
        noise_text = f"plus Gaussian noise with standard deviation {float(noise):g} (seed {seed})"
    else:
        noise_text = "without noise"
    description = (
        f"{n_points} evenly spaced x values in [{X_RANGE[0]:g}, {X_RANGE[1]:g}] "
        f"with targets from {REGRESSION_FORMULAS[kind]}, {noise_text}."
    )
    return Dataset(
        name=REGRESSION_LABELS[kind],
        X=x.reshape(-1, 1),
        y=y.reshape(-1, 1),
        feature_names=("x",),
        target_names=("y",),
        description=description,
    )


# ---------------------------------------------------------------------------------------------------
# CSV upload, stage 1: bytes to DataFrame
# ---------------------------------------------------------------------------------------------------

# pandas 3.1 reports tokenizing errors as "... in line 4, saw 3". It counts the header as line 1
# and counts blank lines too.
_PANDAS_LINE = re.compile(r"\bline (\d+)\b")


def read_csv(data: bytes, max_bytes: int = MAX_CSV_BYTES) -> pd.DataFrame:
    """Parse an uploaded CSV file into a DataFrame.

    The file must be comma-separated UTF-8 text (a byte order mark is accepted) with one header
    row. Column names lose surrounding whitespace, and spaces after a comma are skipped. Only
    empty cells count as missing values. Text such as "NA" or "n/a" stays text, so that
    `dataset_from_frame` can name the offending value.

    Parameters
    ----------
    data : bytes
        The whole file, for example ``uploaded_file.getvalue()``.
    max_bytes : int
        Largest accepted file size in bytes.

    Returns
    -------
    pandas.DataFrame
        One row per data row, at least 2 rows, with at least one numeric column.

    Raises
    ------
    DatasetError
        With a message for the user, if the file

        - is larger than `max_bytes` or not UTF-8,
        - is empty, or has a header but fewer than 2 data rows,
        - is not valid CSV (the message names the line when pandas reports one),
        - has two columns with the same name, or no numeric column.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DatasetError(f"data must be the file's bytes, got {type(data).__name__}.")
    if not _is_integer(max_bytes) or max_bytes <= 0:
        raise DatasetError(f"max_bytes must be a positive integer, got {max_bytes!r}.")
    raw = bytes(data)

    if len(raw) > max_bytes:
        raise DatasetError(
            f"The file size is {len(raw):,} bytes, over the limit of {max_bytes:,} bytes. "
            "Upload a smaller file, for example a sample of the rows."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetError(
            f"The file is not UTF-8 text (byte 0x{raw[error.start]:02x} at position {error.start} is invalid). "
            "Save it as a UTF-8 CSV file (in Excel: 'CSV UTF-8 (Comma delimited)') and upload it again."
        ) from None
    if not text.strip():
        raise DatasetError("The file is empty. Upload a CSV file with a header row and at least 2 data rows.")

    frame = _parse_csv_text(text)

    if len(frame) == 0:
        raise DatasetError(
            "The file has a header row but no data rows. Add at least 2 rows of numbers below the header."
        )
    if len(frame) == 1:
        raise DatasetError(
            "The file has only one data row, but at least 2 rows are needed to fit a model. Add more rows."
        )
    if not numeric_columns(frame):
        raise DatasetError(_no_numeric_column_message(frame))
    return frame


def _parse_csv_text(text: str) -> pd.DataFrame:
    """Parse CSV text into a DataFrame whose column names are the stripped header cells.

    The first pass reads every cell as text, with the header as an ordinary row. In that mode
    pandas reports a row with more fields than the header as an error. With a header it would
    instead drop the extra fields, or silently use the first column as the index and shift every
    value one column to the left. The first pass also returns the header cells as written,
    because pandas renames a repeated name "a" to "a.1". The second pass infers the column types.
    This behaviour of pandas was checked with pandas 3.1.
    """
    raw_rows = _read_with_pandas(text, header=None, dtype=str)
    frame = _read_with_pandas(text, index_col=False)

    names = []
    for cell, pandas_name in zip(raw_rows.iloc[0], frame.columns, strict=True):
        # pandas names a column with an empty header cell "Unnamed: <index>", and that name is kept.
        name = pandas_name if pd.isna(cell) or not str(cell).strip() else str(cell).strip()
        if name in names:
            raise DatasetError(
                f'Two columns are named "{name}" (ignoring surrounding spaces). '
                "Give every column a different name in the header row."
            )
        names.append(name)
    frame.columns = names
    return frame


def _read_with_pandas(text: str, **options: object) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=",",
            skipinitialspace=True,
            keep_default_na=False,
            na_values=[""],
            **options,
        )
    except pd.errors.EmptyDataError:
        raise DatasetError(
            "The file is empty (it has no header row). Upload a CSV file with a header row and at least 2 data rows."
        ) from None
    except pd.errors.ParserError as error:
        detail = str(error).split("C error: ")[-1].strip().rstrip(".")
        if _PANDAS_LINE.search(detail):
            detail += " (the header is line 1)"
        raise DatasetError(
            f"The file is not valid CSV: {detail}. "
            "Check that every row has as many comma-separated fields as the header, and that quotes are closed."
        ) from None


def _no_numeric_column_message(frame: pd.DataFrame) -> str:
    listed_names = ", ".join(f'"{name}"' for name in list(frame.columns)[:5])
    message = f"The file has no numeric column (columns found: {listed_names}). Inputs and targets must be numbers."
    header = "".join(str(name) for name in frame.columns)
    if ";" in header or "\t" in header:
        message += " The header contains semicolons or tabs, so save the file with commas as separators."
    return message


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Return the names of the columns that can serve as inputs or target, in frame order.

    A column qualifies when pandas parsed it as numbers (integer or float, not boolean), or when
    more than half of its filled cells are numbers. The second rule lists a column of prices with
    one stray "n/a", so that the user can pick it and `dataset_from_frame` can name the bad cell.
    Columns with no filled cell never qualify.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DatasetError(f"frame must be a pandas DataFrame, got {type(frame).__name__}.")
    names = []
    for name in frame.columns:
        column = frame[name]
        filled = column.dropna()
        if filled.empty or pd.api.types.is_bool_dtype(column):
            continue
        if pd.api.types.is_numeric_dtype(column):
            names.append(str(name))
            continue
        n_numbers = int(pd.to_numeric(filled, errors="coerce").notna().sum())
        if 2 * n_numbers > len(filled):
            names.append(str(name))
    return names


# ---------------------------------------------------------------------------------------------------
# CSV upload, stage 2: chosen columns to Dataset
# ---------------------------------------------------------------------------------------------------


def _spreadsheet_row(position: int) -> str:
    """Describe the 0-based data row `position` as a spreadsheet shows it, with the header as row 1."""
    return f"row {position + 2} (counting the header as row 1)"


def _count_rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count:,} rows"


def _preview(value: object) -> str:
    text = str(value)
    if len(text) > _VALUE_PREVIEW_CHARS:
        text = text[: _VALUE_PREVIEW_CHARS - 1] + "…"
    return text


def dataset_from_frame(
    frame: pd.DataFrame, input_columns: list[str], target_column: str, name: str
) -> Dataset:
    """Check the chosen columns of `frame` and build a Dataset from them.

    Row numbers in messages are spreadsheet rows: the header is row 1 and the first data row is
    row 2. Rows are counted by position, not by the frame's index. NOTE: pandas skips blank lines
    in a file, so after a blank line the reported row is lower than the line number in the file.

    Parameters
    ----------
    frame : pandas.DataFrame
        Usually the result of `read_csv`.
    input_columns : list of str
        Names of the input columns, in the order the network should see them.
    target_column : str
        Name of the target column. It must not be among the inputs.
    name : str
        Dataset name for the UI, for example the uploaded file's name.

    Returns
    -------
    Dataset
        X of shape (n_rows, len(input_columns)) and y of shape (n_rows, 1), float64.

    Raises
    ------
    DatasetError
        The message names the column, and the row where one applies. Raised if

        - no input is chosen, the target is also an input, or a column is unknown or chosen twice,
        - the frame has fewer than 2 or more than 10,000 rows,
        - a chosen column has a non-numeric value, missing values or a value beyond ±1e100,
        - a chosen column is constant by the rule of `Standardizer.fit`, or has no value with
          magnitude 1e-100 or more.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DatasetError(f"frame must be a pandas DataFrame, got {type(frame).__name__}.")
    _check_column_choice(frame, input_columns, target_column)

    n_rows = len(frame)
    if n_rows > MAX_ROWS:
        raise DatasetError(
            f"The data has {n_rows:,} rows, more than the limit of {MAX_ROWS:,} rows. "
            f"Upload a random sample of at most {MAX_ROWS:,} rows."
        )
    if n_rows < 2:
        raise DatasetError(
            f"The data has {_count_rows(n_rows)}, but at least 2 rows are needed to fit a model. Add more rows."
        )

    is_target = {column: False for column in input_columns}
    is_target[target_column] = True
    values = {column: _numeric_values(frame, column, is_target[column]) for column in is_target}

    X = np.column_stack([values[column] for column in input_columns])
    y = values[target_column].reshape(-1, 1)
    description = (
        f"{n_rows} rows from {name}: predict {target_column} from "
        f"{', '.join(str(column) for column in input_columns)}."
    )
    return Dataset(
        name=str(name),
        X=X,
        y=y,
        feature_names=tuple(str(column) for column in input_columns),
        target_names=(str(target_column),),
        description=description,
    )


def _check_column_choice(frame: pd.DataFrame, input_columns: list[str], target_column: str) -> None:
    if isinstance(input_columns, str):
        raise DatasetError(f"input_columns must be a list of column names, got the string {input_columns!r}.")
    input_columns = list(input_columns)
    if not input_columns:
        raise DatasetError("No input column is chosen. Choose at least one input column.")
    if target_column in input_columns:
        raise DatasetError(
            f'Column "{target_column}" is chosen as both an input and the target. '
            "Remove it from the inputs or choose another target."
        )
    if len(set(input_columns)) != len(input_columns):
        raise DatasetError("An input column is chosen more than once. Choose each input column once.")

    known = set(frame.columns)
    for column in [*input_columns, target_column]:
        if column not in known:
            listed_names = ", ".join(f'"{name}"' for name in frame.columns)
            raise DatasetError(f'Column "{column}" is not in the data. The columns are: {listed_names}.')


def _numeric_values(frame: pd.DataFrame, column: str, is_target: bool) -> NDArray[np.float64]:
    """Convert one chosen column to float64 of shape (n_rows,), or raise naming what is wrong."""
    series = frame[column].reset_index(drop=True)
    role = "target" if is_target else "input"

    # Non-numeric: a filled cell that does not convert to a number. Booleans (True/False) are
    # rejected too, because pandas would otherwise turn them into 1 and 0 without telling the user.
    missing = series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(series):
        converted = pd.Series(np.nan, index=series.index)
    else:
        converted = pd.to_numeric(series, errors="coerce")
    bad = np.flatnonzero(converted.isna().to_numpy() & ~missing)
    if bad.size:
        position = int(bad[0])
        raise DatasetError(
            f'Column "{column}" has the non-numeric value "{_preview(series.iloc[position])}" in '
            f"{_spreadsheet_row(position)}. An {role} column must contain only numbers, "
            "so fix that cell or choose another column."
        )

    # Missing: empty cells.
    if missing.any():
        count = int(missing.sum())
        raise DatasetError(
            f'Column "{column}" has missing values in {_count_rows(count)}, the first in '
            f"{_spreadsheet_row(int(np.flatnonzero(missing)[0]))}. "
            "Fill in those cells or delete those rows, then upload the file again."
        )

    values = converted.to_numpy(dtype=np.float64)

    # Infinite: pandas reads "inf" and "-Infinity" as numbers.
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        position = int(infinite[0])
        raise DatasetError(
            f'Column "{column}" has an infinite value ({values[position]:g}) in '
            f"{_spreadsheet_row(position)}. Replace it with a finite number or delete the row."
        )

    # Too large: magnitude above MAX_ABS_VALUE.
    magnitude = np.abs(values)
    too_large = np.flatnonzero(~(magnitude <= MAX_ABS_VALUE))
    if too_large.size:
        position = int(np.argmax(magnitude))
        raise DatasetError(
            f'Column "{column}" has values too large to use: the largest is {values[position]:g} in '
            f"{_spreadsheet_row(position)}, and values must lie within ±{MAX_ABS_VALUE:g}. "
            "Rescale the column, for example by expressing it in thousands or millions."
        )

    # Constant or too small: the same rules as Standardizer.fit, so every accepted column can be standardized.
    if _constant_columns(values.reshape(-1, 1), magnitude.max(keepdims=True)):
        advice = "Choose another target." if is_target else "Remove it from the inputs."
        raise DatasetError(
            f'Column "{column}" is constant ({_constant_detail(values)}), so it carries no information. {advice}'
        )
    if magnitude.max() < MIN_COLUMN_MAX_ABS:
        raise DatasetError(
            f'Column "{column}" has values too small to use: the largest magnitude is {magnitude.max():g}, '
            f"below {MIN_COLUMN_MAX_ABS:g}. Rescale the column, for example by multiplying it by a power of ten."
        )
    return values


# ---------------------------------------------------------------------------------------------------
# Real datasets shipped in backprop_core/data/ (sources and licences in data/README.md)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealDatasetSpec:
    """A CSV file in the data folder and the columns to use from it.

    `n_rows` is the documented row count. `load_real_dataset` checks the file against it.
    """

    label: str
    file_name: str
    input_columns: tuple[str, ...]
    target_column: str
    n_rows: int
    description: str


REAL_DATASETS: dict[str, RealDatasetSpec] = {
    "engel": RealDatasetSpec(
        label="Engel food expenditure (1 input)",
        file_name="engel.csv",
        input_columns=("income",),
        target_column="foodexp",
        n_rows=235,
        description=(
            "Annual income and food expenditure of 235 working-class Belgian households in 1857, "
            "both in Belgian francs. Predict food expenditure from income."
        ),
    ),
    "stackloss": RealDatasetSpec(
        label="Stack loss (3 inputs)",
        file_name="stackloss.csv",
        input_columns=("AIRFLOW", "WATERTEMP", "ACIDCONC"),
        target_column="STACKLOSS",
        n_rows=21,
        description=(
            "21 days of a plant that oxidises ammonia to nitric acid. Predict the stack loss "
            "(ammonia lost, in tenths of a percent) from air flow, cooling water temperature and acid concentration."
        ),
    ),
}


def load_real_dataset(name: str) -> Dataset:
    """Load a shipped real dataset by its REAL_DATASETS key, through `read_csv` and `dataset_from_frame`.

    Returns
    -------
    Dataset
        Named with the spec's label, with the spec's description.

    Raises
    ------
    DatasetError
        If `name` is not a key of REAL_DATASETS, or the file is missing or does not have the
        documented number of rows.
    """
    if not isinstance(name, str) or name not in REAL_DATASETS:
        raise DatasetError(f"name must be one of {sorted(REAL_DATASETS)}, got {name!r}.")
    spec = REAL_DATASETS[name]
    path = DATA_DIR / spec.file_name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(
            f"The data file {path} is missing. Reinstall the app or restore the file from the repository."
        ) from None

    frame = read_csv(raw)
    if len(frame) != spec.n_rows:
        raise DatasetError(
            f"The data file {path} has {len(frame)} rows, but {spec.n_rows} are documented. "
            "Restore the file from the repository."
        )
    loaded = dataset_from_frame(frame, list(spec.input_columns), spec.target_column, spec.label)
    return replace(loaded, description=spec.description)


# ---------------------------------------------------------------------------------------------------
# Built-in choices for a select box
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetChoice:
    """One built-in dataset: which source builds it, and its key inside that source's registry.

    `source` is "tiny" (key unused), "generated" (key of REGRESSION_KINDS) or "real" (key of
    REAL_DATASETS). Only "generated" choices use n_points, noise and seed.
    """

    source: Literal["tiny", "generated", "real"]
    key: str

    @property
    def uses_generator_settings(self) -> bool:
        """Whether n_points, noise and seed affect this dataset."""
        return self.source == "generated"


# Select-box label -> choice, in the order the UI lists them: the tiny lesson first, then each
# generated kind, then each real dataset.
DATASET_CHOICES: dict[str, DatasetChoice] = {
    TINY_NAME: DatasetChoice("tiny", ""),
    **{REGRESSION_LABELS[kind]: DatasetChoice("generated", kind) for kind in REGRESSION_KINDS},
    **{spec.label: DatasetChoice("real", key) for key, spec in REAL_DATASETS.items()},
}


def load_choice(label: str, n_points: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Build the built-in dataset listed under `label` in DATASET_CHOICES.

    `n_points`, `noise` and `seed` go to `make_regression` for generated kinds and are ignored
    (not validated) for the tiny set and the real datasets.

    Raises
    ------
    DatasetError
        If `label` is not a key of DATASET_CHOICES, or `make_regression` rejects an argument.
    """
    if not isinstance(label, str) or label not in DATASET_CHOICES:
        raise DatasetError(f"label must be one of {list(DATASET_CHOICES)}, got {label!r}.")
    choice = DATASET_CHOICES[label]
    if choice.source == "tiny":
        return make_tiny()
    if choice.source == "generated":
        return make_regression(choice.key, n_points, noise, seed)
    return load_real_dataset(choice.key)
