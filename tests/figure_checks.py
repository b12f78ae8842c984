"""Checks shared by the figure tests: serialise a Plotly figure and fail on NaN or infinity.

Browsers reject NaN and Infinity in chart JSON, so every figure builder's tests run its
figures through `figure_json`.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import plotly.graph_objects as go

BASE64_PAYLOAD = re.compile(r'"bdata":\s*"[^"]*"')


def figure_json(figure: go.Figure) -> dict:
    """Serialise the figure as the browser gets it and fail on NaN or infinity.

    The text check skips base64 payloads, whose alphabet can spell "NaN" by chance. Those
    arrays are decoded and checked for non-finite numbers instead.
    """
    raw = figure.to_json()
    text = BASE64_PAYLOAD.sub('"bdata": ""', raw)
    # Plain booleans keep pytest from diffing a large string when an assert fails.
    has_nan = "NaN" in text
    has_infinity = "Infinity" in text
    assert not has_nan, "figure JSON contains NaN"
    assert not has_infinity, "figure JSON contains Infinity"

    # Plotly's encoder writes NaN in a plain list as null, which would hide it from the text
    # check, so the figure's Python form is checked before encoding as well.
    for path, value in numbers_in(figure.to_plotly_json()):
        value_is_finite = bool(np.all(np.isfinite(value)))
        assert value_is_finite, f"non-finite number in the figure at {path}"

    spec = json.loads(raw)
    for path, array in typed_arrays(spec):
        if array.dtype.kind == "f":
            all_finite = bool(np.all(np.isfinite(array)))
            assert all_finite, f"non-finite number in the base64 array at {path}"
    return spec


def numbers_in(node, path: str = ""):
    """Yield (path, value) for every float and float array in a figure's Python form."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield from numbers_in(child, f"{path}.{key}")
    elif isinstance(node, (list, tuple)):
        for index, child in enumerate(node):
            yield from numbers_in(child, f"{path}[{index}]")
    elif isinstance(node, np.ndarray):
        if node.dtype.kind == "f":
            yield path, node
        elif node.dtype.kind == "O":
            yield from numbers_in(node.tolist(), path)
    elif isinstance(node, (float, np.floating)):
        yield path, node


def typed_arrays(node, path: str = ""):
    """Yield (path, array) for every base64 typed array in a figure's JSON."""
    if isinstance(node, dict):
        if "bdata" in node:
            yield path, decode(node)
            return
        for key, child in node.items():
            yield from typed_arrays(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from typed_arrays(child, f"{path}[{index}]")


def decode(value) -> np.ndarray:
    """Turn a JSON array, or Plotly's base64 typed array, into a NumPy array."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            array = array.reshape([int(size) for size in str(value["shape"]).split(",")])
        return array
    return np.asarray(value, dtype=object)
