"""Custom setups: a network with chosen parameters and a small dataset, saved as JSON or a link.

A teacher types in a worked example (a textbook's network, its weights and a few data rows),
steps through it, and shares it as a file or as a token in a URL. The JSON format, version 1:

    {
      "format": "backprop-lab-setup",
      "version": 1,
      "layer_sizes": [1, 2, 1],
      "activations": ["tanh", "linear"],
      "weights": [[[0.1], [-0.2]], [[0.3, 0.4]]],
      "biases": [[0.05, -0.05], [0.1]],
      "data": {
        "X": [[0.0], [1.0], [2.0], [3.0]],
        "y": [[1.0], [3.0], [5.0], [7.0]],
        "feature_names": ["x"],
        "target_names": ["y"]
      },
      "learning_rate": 0.05,
      "batch_size": null
    }

``weights[l]`` has shape ``(layer_sizes[l+1], layer_sizes[l])``: row j contains the incoming
weights of unit j of layer l+1. ``data.feature_names``, ``data.target_names`` and
``batch_size`` may be left out, and every other key is required. Unknown keys are rejected,
so a misspelt key does not pass unnoticed.

Reading uses only `json`, `zlib` and `base64`, never evaluates code, and bounds the input size
before parsing. Every problem raises `ConfigError` with a message for the user.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .activations import ACTIVATIONS
from .network import Network
from .session import MAX_HIDDEN_LAYERS, MAX_UNITS_PER_LAYER

FloatArray = NDArray[np.float64]

FORMAT_NAME = "backprop-lab-setup"
FORMAT_VERSION = 1

MAX_CONFIG_BYTES = 100_000
MAX_TOKEN_CHARS = 20_000
MAX_EXAMPLES = 200
MAX_FEATURES = 8
MAX_OUTPUTS = 4
MAX_ABS_VALUE = 1e6
MAX_LEARNING_RATE = 100.0
MAX_NAME_CHARS = 100

_TOP_LEVEL_KEYS = (
    "format",
    "version",
    "layer_sizes",
    "activations",
    "weights",
    "biases",
    "data",
    "learning_rate",
    "batch_size",
)
_OPTIONAL_TOP_LEVEL_KEYS = frozenset({"batch_size"})
_DATA_KEYS = ("X", "y", "feature_names", "target_names")
_OPTIONAL_DATA_KEYS = frozenset({"feature_names", "target_names"})

_RANGE_TEXT = f"{-MAX_ABS_VALUE:,.0f} and {MAX_ABS_VALUE:,.0f}"
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]*")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# A JSON list is written on one line when its compact text fits in this many characters.
_ONE_LINE_CHARS = 72


class ConfigError(ValueError):
    """An invalid custom setup. The message states what is wrong, where, and what to do.

    Attributes
    ----------
    path : str or None
        Where the problem is, as a JSON path such as ``"weights[0][1][0]"`` or ``"data.X"``;
        None when it concerns the whole text or token.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True, eq=False)
class CustomSetup:
    """A network with given parameters, a small dataset and the training settings for it.

    Construction checks every rule of the setup format and raises `ConfigError` on the first
    broken one, so every `CustomSetup` can be saved and loaded again. The setup keeps its own
    copy of the network and read-only float64 copies of X and y. The network's arrays can
    still be changed in place, so train on ``setup.network.copy()``. Setups compare by
    identity, because ``==`` on arrays has no single truth value.

    Attributes
    ----------
    network : Network
        At most `MAX_FEATURES` inputs, `MAX_HIDDEN_LAYERS` hidden layers of 1 to
        `MAX_UNITS_PER_LAYER` units, and `MAX_OUTPUTS` outputs. Every parameter lies
        within ±`MAX_ABS_VALUE`.
    X : ndarray of shape (n_samples, n_features)
        Inputs in the units the network trains on (no scaling), 1 to `MAX_EXAMPLES` rows.
    y : ndarray of shape (n_samples, n_outputs)
        Targets in training units.
    learning_rate : float
        Greater than 0 and at most `MAX_LEARNING_RATE`.
    batch_size : int or None
        Examples per step, 1 to n_samples; None means the full batch.
    feature_names : tuple of str
        One name per input column. An empty tuple gives the names x (one input) or
        x1, x2, ...
    target_names : tuple of str
        One name per output column. An empty tuple gives y or y1, y2, ...
    """

    network: Network
    X: FloatArray
    y: FloatArray
    learning_rate: float
    batch_size: int | None
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.network, Network):
            raise ConfigError(
                f"network must be a Network, got {type(self.network).__name__}. Build one "
                f"with Network.from_parameters.",
                "network",
            )
        for field in ("feature_names", "target_names"):
            names = getattr(self, field)
            if isinstance(names, str):
                raise ConfigError(
                    f"{field} must be a sequence of names, got the single string "
                    f"{_preview(names)}. Wrap it in a tuple: ({_preview(names)},).",
                    f"data.{field}",
                )

        # The dictionary form goes through the same checks as a loaded file, and the checked
        # values replace the given ones: a new Network, read-only arrays, plain Python numbers.
        data = setup_to_dict(self)
        for field in ("feature_names", "target_names"):
            if isinstance(data["data"][field], list) and not data["data"][field]:
                data["data"][field] = None  # no names given: use the defaults x1, x2, ...
        checked = _parse_setup_dict(data)
        for field, value in checked.items():
            object.__setattr__(self, field, value)


# --- writing -------------------------------------------------------------------------------------


def setup_to_dict(setup: CustomSetup) -> dict[str, Any]:
    """Convert a setup to plain JSON-compatible values, in the key order of the file format.

    Floats stay Python floats, so `json` writes them with ``repr`` precision and reading them
    back gives the same bits.
    """
    network = setup.network
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "layer_sizes": [int(size) for size in network.layer_sizes],
        "activations": list(network.activations),
        "weights": [w.tolist() for w in network.weights],
        "biases": [b.tolist() for b in network.biases],
        "data": {
            "X": _plain(setup.X),
            "y": _plain(setup.y),
            "feature_names": _plain(setup.feature_names),
            "target_names": _plain(setup.target_names),
        },
        "learning_rate": setup.learning_rate,
        "batch_size": setup.batch_size,
    }


def _plain(value: object) -> object:
    """Convert arrays and tuples to lists and leave anything else for the checks to judge."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def setup_to_json(setup: CustomSetup) -> str:
    """Write a setup as indented JSON that `setup_from_json` reads back bit for bit.

    Objects are indented by two spaces. A list whose compact form is short, such as one row
    of weights, stays on one line. Keys keep the order of `setup_to_dict`.

    Raises
    ------
    ConfigError
        If the text would exceed `MAX_CONFIG_BYTES`, which the largest networks and datasets
        can do when their numbers have many digits.
    """
    text = _format_json(setup_to_dict(setup), indent="") + "\n"
    size = len(text.encode("utf-8"))
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"This setup needs {size:,} bytes as JSON, more than the limit of "
            f"{MAX_CONFIG_BYTES:,} bytes. Use fewer units or examples, or round the "
            f"numbers to fewer digits."
        )
    return text


def setup_to_token(setup: CustomSetup) -> str:
    """Encode a setup for a URL query value: compact JSON, zlib, then base64url without padding.

    The token contains only ``A-Z a-z 0-9 - _``, so it needs no escaping in a URL.

    Raises
    ------
    ConfigError
        If the JSON exceeds `MAX_CONFIG_BYTES` or the token exceeds `MAX_TOKEN_CHARS`
        characters. Share such a setup as a JSON file instead.
    """
    text = json.dumps(
        setup_to_dict(setup), separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    data = text.encode("utf-8")
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"This setup needs {len(data):,} bytes as JSON, more than the limit of "
            f"{MAX_CONFIG_BYTES:,} bytes. Use fewer units or examples, or round the numbers "
            f"to fewer digits."
        )
    token = base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")
    if len(token) > MAX_TOKEN_CHARS:
        raise ConfigError(
            f"This setup makes a link token of {len(token):,} characters, more than the limit "
            f"of {MAX_TOKEN_CHARS:,}. Share it as a JSON file instead, or use fewer units or "
            f"examples."
        )
    return token


def _format_json(value: Any, indent: str) -> str:
    """Format ``value`` as JSON, with one line per key and short lists kept on one line."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = [
            f"{inner}{json.dumps(key, ensure_ascii=False)}: {_format_json(item, inner)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        compact = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
        if len(compact) <= _ONE_LINE_CHARS or not value:
            return compact
        inner = indent + "  "
        items = [inner + _format_json(item, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


# --- reading -------------------------------------------------------------------------------------


def setup_from_json(text: str | bytes) -> CustomSetup:
    """Read a setup from JSON text or UTF-8 bytes, such as an uploaded file.

    The size is checked before parsing. A UTF-8 byte order mark at the start is ignored.
    ``NaN``, ``Infinity`` and ``-Infinity``, which Python's `json` would accept, are rejected.

    Raises
    ------
    ConfigError
        For anything that is not a valid setup, with the line and column of a JSON syntax
        error or the path of the invalid value.
    """
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_CONFIG_BYTES:
            raise _too_large_error(len(text))
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ConfigError(
                f"The setup is not valid UTF-8 text: the byte 0x{error.object[error.start]:02x} "
                f"at position {error.start} cannot be decoded. Save the file with UTF-8 encoding."
            ) from None
    elif isinstance(text, str):
        # Every character takes at least one byte, so this rejects huge text before encoding it.
        if len(text) > MAX_CONFIG_BYTES:
            raise _too_large_error(len(text))
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as error:
            raise ConfigError(
                f"The setup text contains an invalid character (an unpaired surrogate) at "
                f"position {error.start}. Delete that character and try again."
            ) from None
        if size > MAX_CONFIG_BYTES:
            raise _too_large_error(size)
        text = text.removeprefix("\ufeff")
    else:
        raise ConfigError(
            f"A setup must be JSON text or bytes, got {type(text).__name__}. Pass the file's "
            f"contents."
        )

    return setup_from_dict(_parse_json(text))


def setup_from_dict(data: object) -> CustomSetup:
    """Build a setup from the parsed JSON form that `setup_to_dict` returns.

    Raises
    ------
    ConfigError
        For any broken rule of the format. The message and ``error.path`` name the key.
    """
    return CustomSetup(**_parse_setup_dict(data))


def setup_from_token(token: str) -> CustomSetup:
    """Read a setup from a token made by `setup_to_token`, such as a URL's ``setup`` value.

    The token's length and alphabet are checked first. Decompression stops after
    `MAX_CONFIG_BYTES` + 1 bytes, so a small token that would expand to a huge text (a
    "zip bomb") is rejected without expanding it. Whitespace at either end is ignored.

    Raises
    ------
    ConfigError
        For a token that is too long, damaged or incomplete, or that contains an invalid setup.
    """
    if not isinstance(token, str):
        raise ConfigError(f"A setup token must be text, got {type(token).__name__}.")
    if len(token) > MAX_TOKEN_CHARS:
        raise ConfigError(
            f"The setup token has {len(token):,} characters, more than the limit of "
            f"{MAX_TOKEN_CHARS:,}. Share such a large setup as a JSON file instead."
        )
    token = token.strip()
    if not token:
        raise ConfigError("The setup token is empty. Copy the whole link again.")
    if not _TOKEN_PATTERN.fullmatch(token):
        position = next(i for i, char in enumerate(token) if not _TOKEN_PATTERN.fullmatch(char))
        raise ConfigError(
            f"The setup token contains the character {token[position]!r} at position "
            f"{position}, but only letters, digits, '-' and '_' are allowed. The link was "
            f"probably changed or cut; copy it again."
        )
    if len(token) % 4 == 1:
        raise ConfigError(
            f"The setup token is incomplete: its length {len(token)} cannot come from "
            f"base64url. Copy the whole link again."
        )

    try:
        compressed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise ConfigError(
            "The setup token is not valid base64url. Copy the whole link again."
        ) from None

    decompressor = zlib.decompressobj()
    try:
        data = decompressor.decompress(compressed, MAX_CONFIG_BYTES + 1)
    except zlib.error:
        raise ConfigError(
            "The setup token is damaged: its data cannot be decompressed. Copy the whole link "
            "again."
        ) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"The setup token expands to more than {MAX_CONFIG_BYTES:,} bytes, the limit "
            f"for a setup. It was not made by Backprop Lab; ask for the JSON file instead."
        )
    if not decompressor.eof or decompressor.unused_data:
        raise ConfigError(
            "The setup token is incomplete or has extra data at its end. Copy the whole link again."
        )
    return setup_from_json(data)


def _too_large_error(size: int) -> ConfigError:
    return ConfigError(
        f"The setup is {size:,} bytes, more than the limit of {MAX_CONFIG_BYTES:,} bytes. A "
        f"setup is meant for a small worked example: use fewer units or examples."
    )


# --- JSON parsing --------------------------------------------------------------------------------


class _NonFiniteToken(str):
    """A ``NaN``, ``Infinity`` or ``-Infinity`` token of the JSON text, kept for the message."""


def _keep_non_finite_token(token: str) -> _NonFiniteToken:
    return _NonFiniteToken(token)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ConfigError(
                f"The key {_preview(key)} appears twice in the same object. Keep only one of them.",
                key,
            )
        result[key] = value
    return result


def _parse_json(text: str) -> object:
    try:
        return json.loads(
            text,
            parse_constant=_keep_non_finite_token,
            object_pairs_hook=_reject_duplicate_keys,
        )
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"The setup is not valid JSON: {error.msg} at line {error.lineno}, column "
            f"{error.colno}. Check for a missing comma, bracket or quote near there."
        ) from None
    except RecursionError:
        raise ConfigError(
            "The setup's lists or objects are nested too deeply to read. A setup needs at "
            "most three levels of brackets, as in weights."
        ) from None
    except ConfigError:
        raise
    except ValueError:
        # Python rejects integers of more than 4300 digits with a plain ValueError.
        raise ConfigError(
            f"The setup contains a whole number with thousands of digits, which cannot be read. "
            f"Every number must lie between {_RANGE_TEXT}."
        ) from None


# --- checking the parsed form --------------------------------------------------------------------


def _parse_setup_dict(data: object) -> dict[str, Any]:
    """Check every rule of the format and return the fields of a `CustomSetup`."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"A setup must be a JSON object ({{...}}) with the keys {', '.join(_TOP_LEVEL_KEYS)}; "
            f"got {_describe_type(data)}."
        )
    _check_format_and_version(data)
    _check_keys(data, "", _TOP_LEVEL_KEYS, _OPTIONAL_TOP_LEVEL_KEYS)

    layer_sizes = _parse_layer_sizes(data["layer_sizes"])
    activations = _parse_activations(data["activations"], len(layer_sizes) - 1)
    weights, biases = _parse_parameters(data["weights"], data["biases"], layer_sizes)
    X, y, feature_names, target_names = _parse_data(data["data"], layer_sizes)
    learning_rate = _parse_learning_rate(data["learning_rate"])
    batch_size = _parse_batch_size(data.get("batch_size"), X.shape[0])

    return {
        "network": Network.from_parameters(weights, biases, activations),
        "X": X,
        "y": y,
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "feature_names": feature_names,
        "target_names": target_names,
    }


def _check_format_and_version(data: dict[Any, Any]) -> None:
    if "format" not in data:
        raise ConfigError(
            f'This is not a Backprop Lab setup: the key "format" is missing. A setup starts '
            f'with "format": "{FORMAT_NAME}".',
            "format",
        )
    if not isinstance(data["format"], str) or data["format"] != FORMAT_NAME:
        raise ConfigError(
            f'This is not a Backprop Lab setup: "format" must be "{FORMAT_NAME}", got '
            f"{_preview(data['format'])}.",
            "format",
        )
    if "version" not in data:
        raise ConfigError(
            f'The key "version" is missing. Add "version": {FORMAT_VERSION}.', "version"
        )
    version = data["version"]
    if not _is_integer(version) or version < 1:
        raise ConfigError(
            f'"version" must be a whole number of at least 1, got {_preview(version)}. This '
            f"version of Backprop Lab writes version {FORMAT_VERSION}.",
            "version",
        )
    if version > FORMAT_VERSION:
        raise ConfigError(
            f"This setup has format version {version}, which is newer than version "
            f"{FORMAT_VERSION}, the newest this Backprop Lab reads. Update Backprop Lab to "
            f"load it.",
            "version",
        )


def _check_keys(
    data: dict[Any, Any], prefix: str, allowed: tuple[str, ...], optional: frozenset[str]
) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"Unknown key {_preview(key)} in {prefix or 'the setup'}. The allowed keys "
                f"are {', '.join(allowed)}; check the spelling.",
                f"{prefix}.{key}" if prefix else str(key),
            )
    for key in allowed:
        if key not in data and key not in optional:
            path = f"{prefix}.{key}" if prefix else key
            raise ConfigError(f"The required key {path} is missing. Add it.", path)


def _parse_layer_sizes(value: object) -> tuple[int, ...]:
    path = "layer_sizes"
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"layer_sizes must be a list of whole numbers such as [1, 2, 1], got "
            f"{_describe_type(value)}.",
            path,
        )
    n_hidden = len(value) - 2
    if n_hidden < 0 or n_hidden > MAX_HIDDEN_LAYERS:
        raise ConfigError(
            f"layer_sizes must list the input size, 0 to {MAX_HIDDEN_LAYERS} hidden layer "
            f"sizes and the output size (2 to {MAX_HIDDEN_LAYERS + 2} numbers), got "
            f"{_count(len(value), 'number')}. Add or remove layers.",
            path,
        )
    sizes = []
    for position, size in enumerate(value):
        if position == 0:
            role, limit = "the input size (number of features)", MAX_FEATURES
        elif position == len(value) - 1:
            role, limit = "the output size (number of targets)", MAX_OUTPUTS
        else:
            role, limit = "a hidden layer size", MAX_UNITS_PER_LAYER
        if not _is_integer(size) or not 1 <= size <= limit:
            raise ConfigError(
                f"layer_sizes[{position}] is {role} and must be a whole number from 1 to "
                f"{limit}, got {_preview(size)}.",
                f"{path}[{position}]",
            )
        sizes.append(int(size))
    return tuple(sizes)


def _parse_activations(value: object, n_layers: int) -> tuple[str, ...]:
    path = "activations"
    valid = ", ".join(ACTIVATIONS)
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"activations must be a list of {n_layers} names, one per layer after the input, "
            f"got {_describe_type(value)}. Valid names: {valid}.",
            path,
        )
    if len(value) != n_layers:
        raise ConfigError(
            f"activations must have one name per layer after the input: {n_layers} for these "
            f"layer_sizes, got {len(value)}. Add or remove names.",
            path,
        )
    for position, name in enumerate(value):
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise ConfigError(
                f"activations[{position}] is {_preview(name)}, which is not an activation. "
                f"Choose one of: {valid}.",
                f"{path}[{position}]",
            )
    return tuple(value)


def _parse_parameters(
    weights: object, biases: object, layer_sizes: tuple[int, ...]
) -> tuple[list[FloatArray], list[FloatArray]]:
    n_layers = len(layer_sizes) - 1
    for key, value in (("weights", weights), ("biases", biases)):
        if not isinstance(value, (list, tuple)) or len(value) != n_layers:
            got = _length_or_type(value, "entry", "entries")
            raise ConfigError(
                f"{key} must be a list with one entry per layer after the input ({n_layers} for "
                f"layer_sizes {list(layer_sizes)}), got {got}.",
                key,
            )

    weight_arrays, bias_arrays = [], []
    for l in range(n_layers):
        n_in, n_out = layer_sizes[l], layer_sizes[l + 1]
        weight_arrays.append(
            _parse_matrix(
                weights[l],
                f"weights[{l}]",
                (n_out, n_in),
                f"these are the weights into layer {l + 1}, with one row per unit of layer "
                f"{l + 1} and one column per unit of layer {l}",
                hint="If you typed the matrix transposed, swap its rows and columns.",
            )
        )
        bias_arrays.append(
            _parse_vector(biases[l], f"biases[{l}]", n_out, f"one bias per unit of layer {l + 1}")
        )
    return weight_arrays, bias_arrays


def _parse_data(
    value: object, layer_sizes: tuple[int, ...]
) -> tuple[FloatArray, FloatArray, tuple[str, ...], tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError(
            f'data must be an object with the keys "X" and "y" (and optionally '
            f'"feature_names" and "target_names"), got {_describe_type(value)}.',
            "data",
        )
    _check_keys(value, "data", _DATA_KEYS, _OPTIONAL_DATA_KEYS)
    n_features, n_outputs = layer_sizes[0], layer_sizes[-1]

    rows = value["X"]
    if not isinstance(rows, (list, tuple)) or not 1 <= len(rows) <= MAX_EXAMPLES:
        got = _length_or_type(rows, "row")
        raise ConfigError(
            f"data.X must be a list of 1 to {MAX_EXAMPLES} rows, one per example, such as "
            f"[[0], [1]], got {got}.",
            "data.X",
        )
    n_samples = len(rows)
    X = _parse_matrix(
        rows,
        "data.X",
        (n_samples, n_features),
        f"one row per example and one column per input, as layer_sizes[0] = {n_features} "
        f"requires",
    )
    targets = value["y"]
    if isinstance(targets, (list, tuple)) and len(targets) != n_samples:
        raise ConfigError(
            f"data.y has {len(targets)} rows but data.X has {n_samples}. Give one row of "
            f"targets per example.",
            "data.y",
        )
    y = _parse_matrix(
        targets,
        "data.y",
        (n_samples, n_outputs),
        f"one row per example and one column per output, as layer_sizes[-1] = {n_outputs} "
        f"requires",
    )

    feature_names = _parse_names(value.get("feature_names"), "data.feature_names", n_features, "x")
    target_names = _parse_names(value.get("target_names"), "data.target_names", n_outputs, "y")
    return X, y, feature_names, target_names


def _parse_names(value: object, path: str, count: int, default_prefix: str) -> tuple[str, ...]:
    if value is None:
        if count == 1:
            return (default_prefix,)
        return tuple(f"{default_prefix}{k + 1}" for k in range(count))
    if not isinstance(value, (list, tuple)) or len(value) != count:
        got = _length_or_type(value, "name")
        raise ConfigError(
            f"{path} must be a list of {_count(count, 'name')}, one per column, got {got}.", path
        )
    for position, name in enumerate(value):
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
            raise ConfigError(
                f"{path}[{position}] must be a non-empty text of at most {MAX_NAME_CHARS} "
                f"characters, got {_preview(name)}.",
                f"{path}[{position}]",
            )
        if _CONTROL_CHARACTERS.search(name):
            raise ConfigError(
                f"{path}[{position}] contains a control character such as a line break, got "
                f"{_preview(name)}. Use a name on one line.",
                f"{path}[{position}]",
            )
    return tuple(value)


def _parse_learning_rate(value: object) -> float:
    # The comparison is False for NaN, so NaN fails it too.
    out_of_range = _is_real(value) and not 0 < value <= MAX_LEARNING_RATE
    if isinstance(value, _NonFiniteToken) or out_of_range:
        raise ConfigError(
            f"learning_rate must be greater than 0 and at most {MAX_LEARNING_RATE:g}, got "
            f"{_preview(value)}. Typical values are 0.001 to 0.5.",
            "learning_rate",
        )
    return _parse_number(value, "learning_rate")


def _parse_batch_size(value: object, n_samples: int) -> int | None:
    if value is None:
        return None
    if not _is_integer(value) or not 1 <= value <= n_samples:
        raise ConfigError(
            f"batch_size must be null (the full batch) or a whole number from 1 to {n_samples}, "
            f"the number of examples; got {_preview(value)}.",
            "batch_size",
        )
    return int(value)


# --- arrays and numbers --------------------------------------------------------------------------


def _parse_matrix(
    value: object, path: str, shape: tuple[int, int], layout: str, hint: str = ""
) -> FloatArray:
    """Check that ``value`` is a list of rows of numbers with the given shape; return a copy.

    ``layout`` explains the expected shape in words, and ``hint`` suggests a likely fix.
    """
    n_rows, n_columns = shape
    expected = f"{path} must have shape ({n_rows}, {n_columns}): {layout}."
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{expected} It is {_describe_type(value)} instead of a list of rows.", path
        )
    for row_index, row in enumerate(value):
        if not isinstance(row, (list, tuple)):
            raise ConfigError(
                f"{expected} Each row must be a list of numbers, but {path}[{row_index}] is "
                f"{_preview(row)}. Write each row in brackets, such as [0.5].",
                f"{path}[{row_index}]",
            )
    row_lengths = {len(row) for row in value}
    if len(value) != n_rows or row_lengths != {n_columns}:
        if len(row_lengths) > 1:
            got = f"Its rows have different lengths: {_preview([len(row) for row in value])}."
        elif value:
            got = f"It has shape ({len(value)}, {row_lengths.pop()}). {hint}".rstrip()
        else:
            got = "It is an empty list."
        raise ConfigError(f"{expected} {got}", path)

    array = np.empty(shape, dtype=np.float64)
    for row_index, row in enumerate(value):
        for column, number in enumerate(row):
            array[row_index, column] = _parse_number(number, f"{path}[{row_index}][{column}]")
    array.flags.writeable = False
    return array


def _parse_vector(value: object, path: str, length: int, layout: str) -> FloatArray:
    if not isinstance(value, (list, tuple)) or len(value) != length:
        got = _length_or_type(value, "entry", "entries")
        raise ConfigError(
            f"{path} must be a list of {length} numbers, {layout}, got {got}. Write it as a flat "
            f"list such as [0.1, -0.2].",
            path,
        )
    array = np.array([_parse_number(number, f"{path}[{k}]") for k, number in enumerate(value)])
    array.flags.writeable = False
    return array


def _parse_number(value: object, path: str) -> float:
    if isinstance(value, _NonFiniteToken):
        raise ConfigError(
            f"{path} is {value}, but only finite numbers are allowed. Replace it with a number "
            f"between {_RANGE_TEXT}.",
            path,
        )
    if not _is_real(value):
        raise ConfigError(
            f"{path} must be a number, got {_preview(value)}. Write numbers without quotes, "
            f"such as 0.5 or -2.",
            path,
        )
    # The comparison is False for NaN and works on integers too large for a float.
    if not abs(value) <= MAX_ABS_VALUE:
        finite = _is_integer(value) or math.isfinite(value)
        problem = "outside the allowed range" if finite else "not a finite number"
        raise ConfigError(
            f"{path} is {_preview(value)}, which is {problem}. Every number must lie between "
            f"{_RANGE_TEXT}: rescale the data or parameters.",
            path,
        )
    return float(value)


def _is_integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


# --- messages ------------------------------------------------------------------------------------


def _describe_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, (list, tuple)):
        return f"a list of {_count(len(value), 'item')}"
    if isinstance(value, dict):
        return f"an object with {_count(len(value), 'key')}"
    if isinstance(value, str):
        return f"the text {_preview(value)}"
    return _preview(value)


def _length_or_type(value: object, singular: str, plural: str = "") -> str:
    """Describe a list by its length, as in "3 rows", and anything else by its type."""
    if isinstance(value, (list, tuple)):
        return _count(len(value), singular, plural)
    return _describe_type(value)


def _count(number: int, singular: str, plural: str = "") -> str:
    return f"{number} {singular}" if number == 1 else f"{number} {plural or singular + 's'}"


def _preview(value: object, limit: int = 60, depth: int = 0) -> str:
    """Write a short, bounded form of a parsed JSON value for an error message.

    Unlike ``repr``, this never recurses more than three levels, so a deeply nested value
    cannot raise RecursionError, and a long value is cut to about ``limit`` characters.
    """
    if isinstance(value, _NonFiniteToken):
        text = str(value)
    elif value is None:
        text = "null"
    elif isinstance(value, (bool, np.bool_)):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value[:limit], ensure_ascii=False)
    elif isinstance(value, (list, tuple)):
        if depth >= 3:
            text = "[...]"
        else:
            parts = [_preview(item, limit, depth + 1) for item in value[:6]]
            text = "[" + ", ".join(parts) + (", ..." if len(value) > 6 else "") + "]"
    elif isinstance(value, dict):
        if depth >= 3:
            text = "{...}"
        else:
            parts = [
                f"{_preview(key, limit, depth + 1)}: {_preview(item, limit, depth + 1)}"
                for key, item in list(value.items())[:4]
            ]
            text = "{" + ", ".join(parts) + (", ..." if len(value) > 4 else "") + "}"
    elif _is_integer(value) and abs(int(value)) > 10**30:
        # str() of an integer of more than 4300 digits raises ValueError, so estimate instead.
        digits = int(int(value).bit_length() * math.log10(2)) + 1
        text = f"a whole number of about {digits} digits"
    elif isinstance(value, (np.floating, np.integer)):
        text = repr(value.item())
    else:
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


# --- the worked example --------------------------------------------------------------------------


def example_setup() -> CustomSetup:
    """Build the 1-2-1 worked example: y = 2x + 1 at x = 0, 1, 2, 3.

    One input, two tanh hidden units and a linear output, with W1 = [[0.1], [-0.2]],
    b1 = [0.05, -0.05], W2 = [[0.3, 0.4]], b2 = [0.1], learning rate 0.05 and the full
    batch. Its cost before the first step is about 20.9708042647. Each call returns new
    objects, so training one copy leaves the others unchanged.
    """
    network = Network.from_parameters(
        weights=[[[0.1], [-0.2]], [[0.3, 0.4]]],
        biases=[[0.05, -0.05], [0.1]],
        activations=["tanh", "linear"],
    )
    return CustomSetup(
        network=network,
        X=np.array([[0.0], [1.0], [2.0], [3.0]]),
        y=np.array([[1.0], [3.0], [5.0], [7.0]]),
        learning_rate=0.05,
        batch_size=None,
        feature_names=("x",),
        target_names=("y",),
    )
