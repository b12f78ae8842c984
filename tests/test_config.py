"""Tests for custom setups: round trips, the worked example, invalid input and hostile tokens."""

from __future__ import annotations

import base64
import copy
import json
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_core.config import (
    FORMAT_NAME,
    MAX_CONFIG_BYTES,
    MAX_EXAMPLES,
    MAX_TOKEN_CHARS,
    ConfigError,
    CustomSetup,
    example_setup,
    setup_from_dict,
    setup_from_json,
    setup_from_token,
    setup_to_dict,
    setup_to_json,
    setup_to_token,
)
from backprop_core.network import Network


def random_setup(seed: int = 0) -> CustomSetup:
    """A 3-4-3-2 network with full-precision random parameters and 7 random examples."""
    rng = np.random.default_rng(seed)
    network = Network.initialize((3, 4, 3, 2), ["sigmoid", "leaky_relu", "linear"], seed=seed)
    return CustomSetup(
        network=network,
        X=rng.normal(size=(7, 3)) * 1e3,
        y=rng.uniform(-1.0, 1.0, size=(7, 2)),
        learning_rate=float(rng.uniform(0.001, 0.5)),
        batch_size=3,
        feature_names=("Größe", "x|y", "speed (m/s)"),
        target_names=("cost", "ŷ"),
    )


def assert_same_setup(actual: CustomSetup, expected: CustomSetup) -> None:
    """Check every field; arrays must match bit for bit, including the sign of zero."""
    assert actual.network.activations == expected.network.activations
    assert len(actual.network.weights) == len(expected.network.weights)
    for l, (got, want) in enumerate(zip(actual.network.weights, expected.network.weights)):
        assert np.array_equal(got, want), f"weights[{l}]"
        assert got.tobytes() == want.tobytes(), f"weights[{l}] bits"
    for l, (got, want) in enumerate(zip(actual.network.biases, expected.network.biases)):
        assert np.array_equal(got, want), f"biases[{l}]"
        assert got.tobytes() == want.tobytes(), f"biases[{l}] bits"
    assert np.array_equal(actual.X, expected.X), "X"
    assert actual.X.tobytes() == expected.X.tobytes(), "X bits"
    assert np.array_equal(actual.y, expected.y), "y"
    assert actual.y.tobytes() == expected.y.tobytes(), "y bits"
    assert actual.learning_rate == expected.learning_rate
    assert actual.batch_size == expected.batch_size
    assert actual.feature_names == expected.feature_names
    assert actual.target_names == expected.target_names


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("make_setup", [example_setup, random_setup], ids=["example", "random"])
@pytest.mark.parametrize(
    "round_trip",
    [
        lambda setup: setup_from_dict(setup_to_dict(setup)),
        lambda setup: setup_from_json(setup_to_json(setup)),
        lambda setup: setup_from_json(setup_to_json(setup).encode("utf-8")),
        lambda setup: setup_from_token(setup_to_token(setup)),
    ],
    ids=["dict", "json", "json-bytes", "token"],
)
def test_round_trip_bit_exact(
    make_setup: Callable[[], CustomSetup], round_trip: Callable[[CustomSetup], CustomSetup]
) -> None:
    setup = make_setup()
    assert_same_setup(round_trip(setup), setup)


@settings(max_examples=50)
@given(
    values=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=True),
        min_size=9,
        max_size=9,
    )
)
def test_round_trip_any_float(values: list[float]) -> None:
    # One linear neuron with 2 inputs (W: 2 numbers, b: 1) and 3 examples (X: 6 numbers).
    network = Network.from_parameters([[values[:2]]], [values[2:3]], ["linear"])
    setup = CustomSetup(
        network=network,
        X=np.array(values[3:9]).reshape(3, 2),
        y=np.zeros((3, 1)),
        learning_rate=0.1,
        batch_size=None,
        feature_names=("a", "b"),
        target_names=("t",),
    )
    assert_same_setup(setup_from_json(setup_to_json(setup)), setup)
    assert_same_setup(setup_from_token(setup_to_token(setup)), setup)


def test_json_layout_readable() -> None:
    text = setup_to_json(example_setup())
    data = json.loads(text)

    assert list(data) == [
        "format",
        "version",
        "layer_sizes",
        "activations",
        "weights",
        "biases",
        "data",
        "learning_rate",
        "batch_size",
    ]
    assert list(data["data"]) == ["X", "y", "feature_names", "target_names"]
    assert data["format"] == FORMAT_NAME
    assert data["version"] == 1
    assert '  "weights": [[[0.1], [-0.2]], [[0.3, 0.4]]],' in text
    assert '  "batch_size": null' in text
    assert text.endswith("}\n")


def test_token_url_safe() -> None:
    token = setup_to_token(random_setup())

    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert "=" not in token
    assert len(token) <= MAX_TOKEN_CHARS


def test_token_ignores_surrounding_whitespace() -> None:
    setup = example_setup()
    assert_same_setup(setup_from_token(f"  {setup_to_token(setup)}\n"), setup)


def test_byte_order_mark_accepted() -> None:
    setup = example_setup()
    text = setup_to_json(setup)

    assert_same_setup(setup_from_json("\ufeff" + text), setup)
    assert_same_setup(setup_from_json(b"\xef\xbb\xbf" + text.encode("utf-8")), setup)


def test_optional_keys_get_defaults() -> None:
    data = setup_to_dict(example_setup())
    del data["batch_size"]
    del data["data"]["feature_names"]
    del data["data"]["target_names"]

    setup = setup_from_dict(data)

    assert setup.batch_size is None
    assert setup.feature_names == ("x",)
    assert setup.target_names == ("y",)


def test_default_names_numbered() -> None:
    data = setup_to_dict(random_setup())
    del data["data"]["feature_names"]
    del data["data"]["target_names"]

    setup = setup_from_dict(data)

    assert setup.feature_names == ("x1", "x2", "x3")
    assert setup.target_names == ("y1", "y2")


# --- the worked example --------------------------------------------------------------------------


def test_example_setup_cost() -> None:
    # ŷ = 0.3 tanh(0.1x + 0.05) + 0.4 tanh(-0.2x - 0.05) + 0.1 is near 0 for x = 0..3, so the
    # cost is close to mean(y²) = (1 + 9 + 25 + 49) / 4 = 21; the exact value is 20.9708042647.
    setup = example_setup()

    np.testing.assert_allclose(
        setup.network.cost(setup.X, setup.y), 20.970804264697, rtol=0, atol=1e-9, err_msg="cost"
    )


def test_example_setup_contents() -> None:
    setup = example_setup()

    assert setup.network.layer_sizes == (1, 2, 1)
    assert setup.network.activations == ("tanh", "linear")
    np.testing.assert_array_equal(setup.network.weights[0], [[0.1], [-0.2]], err_msg="W1")
    np.testing.assert_array_equal(setup.network.biases[0], [0.05, -0.05], err_msg="b1")
    np.testing.assert_array_equal(setup.network.weights[1], [[0.3, 0.4]], err_msg="W2")
    np.testing.assert_array_equal(setup.network.biases[1], [0.1], err_msg="b2")
    np.testing.assert_array_equal(setup.X, [[0.0], [1.0], [2.0], [3.0]], err_msg="X")
    np.testing.assert_array_equal(setup.y, [[1.0], [3.0], [5.0], [7.0]], err_msg="y")
    assert setup.learning_rate == 0.05
    assert setup.batch_size is None


def test_example_setup_fresh_each_call() -> None:
    first = example_setup()
    first.network.weights[0][0, 0] = 99.0

    assert example_setup().network.weights[0][0, 0] == 0.1


# --- construction --------------------------------------------------------------------------------


def test_setup_copies_network() -> None:
    network = Network.from_parameters([[[1.0]]], [[0.0]], ["linear"])
    setup = CustomSetup(network, np.ones((2, 1)), np.ones((2, 1)), 0.1, None, ("x",), ("y",))

    network.weights[0][0, 0] = 5.0

    assert setup.network.weights[0][0, 0] == 1.0


def test_setup_data_read_only() -> None:
    setup = example_setup()

    with pytest.raises(ValueError):
        setup.X[0, 0] = 1.0
    with pytest.raises(ValueError):
        setup.y[0, 0] = 1.0


def test_setup_constructor_checks_rules() -> None:
    network = Network.from_parameters([[[1.0]]], [[0.0]], ["linear"])
    too_many = np.zeros((MAX_EXAMPLES + 1, 1))

    with pytest.raises(ConfigError, match="data.X must be a list of 1 to 200 rows"):
        CustomSetup(network, too_many, too_many, 0.1, None, ("x",), ("y",))
    with pytest.raises(ConfigError, match="learning_rate"):
        CustomSetup(network, np.ones((2, 1)), np.ones((2, 1)), -0.1, None, ("x",), ("y",))
    with pytest.raises(ConfigError, match="single string"):
        CustomSetup(network, np.ones((2, 1)), np.ones((2, 1)), 0.1, None, "x", ("y",))
    with pytest.raises(ConfigError, match="network must be a Network"):
        CustomSetup("net", np.ones((2, 1)), np.ones((2, 1)), 0.1, None, ("x",), ("y",))


def test_setup_constructor_rejects_nan_data() -> None:
    network = Network.from_parameters([[[1.0]]], [[0.0]], ["linear"])
    X = np.array([[1.0], [np.nan]])

    with pytest.raises(ConfigError, match=r"data\.X\[1\]\[0\]") as error:
        CustomSetup(network, X, np.ones((2, 1)), 0.1, None, ("x",), ("y",))
    assert error.value.path == "data.X[1][0]"


def test_large_setup_json_rejected() -> None:
    # 8-32-32-32-32-32-32-4 has 5,700 parameters, and at about 20 characters per full-precision
    # number the JSON text is over 100,000 bytes.
    network = Network.initialize((8, 32, 32, 32, 32, 32, 32, 4), ["tanh"] * 6 + ["linear"], seed=1)
    setup = CustomSetup(network, np.zeros((1, 8)), np.zeros((1, 4)), 0.1, None, (), ())

    with pytest.raises(ConfigError, match="more than the limit of 100,000 bytes"):
        setup_to_json(setup)
    with pytest.raises(ConfigError, match="more than the limit of 100,000 bytes"):
        setup_to_token(setup)


def test_long_token_rejected_on_write() -> None:
    # 200 x 12 random full-precision numbers compress poorly: the JSON fits the byte limit,
    # but the token would exceed MAX_TOKEN_CHARS.
    rng = np.random.default_rng(3)
    network = Network.initialize((8, 4), ["linear"], seed=3)
    setup = CustomSetup(
        network, rng.normal(size=(200, 8)), rng.normal(size=(200, 4)), 0.1, None, (), ()
    )

    assert len(setup_to_json(setup).encode("utf-8")) <= MAX_CONFIG_BYTES
    with pytest.raises(ConfigError, match="JSON file instead"):
        setup_to_token(setup)


# --- invalid setups ------------------------------------------------------------------------------


def example_dict() -> dict[str, Any]:
    return setup_to_dict(example_setup())


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """Return a change that sets the value at a dotted path such as "data.X" or "weights.0.1"."""

    def change(data: dict[str, Any]) -> None:
        keys = [int(part) if part.isdigit() else part for part in path.split(".")]
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        keys = path.split(".")
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return change


# Each case: a change to the worked example's dictionary, the ConfigError's path, and words
# its message must contain.
BAD_SETUPS = [
    pytest.param(_set("format", "keras-model"), "format", "not a Backprop Lab setup", id="format-wrong"),
    pytest.param(_delete("format"), "format", '"format" is missing', id="format-missing"),
    pytest.param(_set("version", 2), "version", "Update Backprop Lab", id="version-newer"),
    pytest.param(_set("version", "1"), "version", "whole number", id="version-text"),
    pytest.param(_set("version", True), "version", "whole number", id="version-boolean"),
    pytest.param(_set("version", 0), "version", "at least 1", id="version-zero"),
    pytest.param(_set("learning_rat", 0.1), "learning_rat", "Unknown key", id="key-misspelt"),
    pytest.param(_delete("learning_rate"), "learning_rate", "missing", id="key-missing"),
    pytest.param(_set("layer_sizes", [1] + [2] * 7 + [1]), "layer_sizes", "0 to 6 hidden", id="layers-too-many"),
    pytest.param(_set("layer_sizes", [1]), "layer_sizes", "2 to 8 numbers", id="layers-too-few"),
    pytest.param(_set("layer_sizes", [9, 2, 1]), "layer_sizes[0]", "input size", id="input-too-wide"),
    pytest.param(_set("layer_sizes", [1, 33, 1]), "layer_sizes[1]", "from 1 to 32", id="hidden-too-wide"),
    pytest.param(_set("layer_sizes", [1, 0, 1]), "layer_sizes[1]", "from 1 to 32", id="hidden-empty"),
    pytest.param(_set("layer_sizes", [1, 2, 5]), "layer_sizes[2]", "output size", id="output-too-wide"),
    pytest.param(_set("layer_sizes", [1, 2.0, 1]), "layer_sizes[1]", "whole number", id="layers-float"),
    pytest.param(_set("layer_sizes", [1, True, 1]), "layer_sizes[1]", "whole number", id="layers-boolean"),
    pytest.param(_set("layer_sizes", "1, 2, 1"), "layer_sizes", "list of whole numbers", id="layers-text"),
    pytest.param(_set("activations", ["tanh", "softmax"]), "activations[1]", "Choose one of", id="activation-unknown"),
    pytest.param(_set("activations", ["tanh"]), "activations", "one name per layer", id="activations-count"),
    pytest.param(_set("activations", ["tanh", 3]), "activations[1]", "not an activation", id="activation-number"),
    pytest.param(_set("weights.0", [[0.1, -0.2]]), "weights[0]", "It has shape (1, 2)", id="weights-transposed"),
    pytest.param(_set("weights.1", [[0.3], [0.4, 0.5]]), "weights[1]", "different lengths", id="weights-ragged"),
    pytest.param(_set("weights", [[[0.1], [-0.2]]]), "weights", "one entry per layer", id="weights-layer-missing"),
    pytest.param(_set("weights.1", [0.3, 0.4]), "weights[1][0]", "Each row must be a list", id="weights-flat"),
    pytest.param(_set("weights.0.1.0", "0.1"), "weights[0][1][0]", "must be a number", id="weight-text"),
    pytest.param(_set("weights.0.1.0", True), "weights[0][1][0]", "must be a number", id="weight-boolean"),
    pytest.param(_set("weights.0.1.0", None), "weights[0][1][0]", "must be a number", id="weight-null"),
    pytest.param(_set("weights.0.1.0", 1.5e6), "weights[0][1][0]", "outside the allowed range", id="weight-too-large"),
    pytest.param(_set("weights.0.1.0", -(10**400)), "weights[0][1][0]", "about 401 digits", id="weight-huge-integer"),
    pytest.param(_set("weights.0.1.0", float("nan")), "weights[0][1][0]", "NaN", id="weight-nan"),
    pytest.param(_set("weights.1.0.0", float("inf")), "weights[1][0][0]", "Infinity", id="weight-infinity"),
    pytest.param(_set("biases.0", [0.05]), "biases[0]", "list of 2 numbers", id="biases-short"),
    pytest.param(_set("biases.1", [[0.1]]), "biases[1][0]", "must be a number", id="biases-nested"),
    pytest.param(_set("biases.1.0", float("-inf")), "biases[1][0]", "-Infinity", id="bias-minus-infinity"),
    pytest.param(_set("data", [[0], [1]]), "data", "data must be an object", id="data-list"),
    pytest.param(_set("data.Y", [[1]]), "data.Y", "Unknown key", id="data-key-misspelt"),
    pytest.param(_delete("data.y"), "data.y", "missing", id="data-y-missing"),
    pytest.param(_set("data.X", [[0, 1], [1, 1], [2, 1], [3, 1]]), "data.X", "shape (4, 1)", id="X-columns"),
    pytest.param(_set("data.X", [0, 1, 2, 3]), "data.X[0]", "in brackets", id="X-flat"),
    pytest.param(_set("data.X", []), "data.X", "1 to 200 rows", id="X-empty"),
    pytest.param(_set("data.X", [[0.0]] * 201), "data.X", "1 to 200 rows", id="X-too-many"),
    pytest.param(_set("data.X.2.0", 2e6), "data.X[2][0]", "between", id="X-too-large"),
    pytest.param(_set("data.y", [[1], [3], [5]]), "data.y", "3 rows but data.X has 4", id="y-rows"),
    pytest.param(_set("data.y", [[1, 1]] * 4), "data.y", "shape (4, 1)", id="y-columns"),
    pytest.param(_set("data.feature_names", ["x", "z"]), "data.feature_names", "list of 1 name,", id="names-count"),
    pytest.param(_set("data.target_names", ["a\nb"]), "data.target_names[0]", "control character", id="name-newline"),
    pytest.param(_set("data.target_names", [" "]), "data.target_names[0]", "non-empty", id="name-blank"),
    pytest.param(_set("data.target_names", ["y" * 101]), "data.target_names[0]", "at most 100", id="name-long"),
    pytest.param(_set("learning_rate", 0), "learning_rate", "greater than 0", id="rate-zero"),
    pytest.param(_set("learning_rate", -0.1), "learning_rate", "greater than 0", id="rate-negative"),
    pytest.param(_set("learning_rate", 101), "learning_rate", "at most 100", id="rate-too-large"),
    pytest.param(_set("learning_rate", "0.05"), "learning_rate", "must be a number", id="rate-text"),
    pytest.param(_set("learning_rate", float("nan")), "learning_rate", "got NaN", id="rate-nan"),
    pytest.param(_set("batch_size", 0), "batch_size", "from 1 to 4", id="batch-zero"),
    pytest.param(_set("batch_size", 5), "batch_size", "from 1 to 4", id="batch-too-large"),
    pytest.param(_set("batch_size", 2.0), "batch_size", "whole number", id="batch-float"),
    pytest.param(_set("batch_size", "full"), "batch_size", "null (the full batch)", id="batch-text"),
]


@pytest.mark.parametrize(("change", "path", "words"), BAD_SETUPS)
def test_bad_setup_rejected(change: Callable[[dict[str, Any]], None], path: str, words: str) -> None:
    data = example_dict()
    change(data)
    text = json.dumps(data)

    with pytest.raises(ConfigError) as error:
        setup_from_json(text)

    assert words in str(error.value)
    assert error.value.path == path


@pytest.mark.parametrize(("change", "path", "words"), BAD_SETUPS)
def test_bad_dict_rejected(change: Callable[[dict[str, Any]], None], path: str, words: str) -> None:
    data = example_dict()
    change(data)

    with pytest.raises(ConfigError) as error:
        setup_from_dict(copy.deepcopy(data))

    # A dictionary contains float("nan") itself, not the JSON token, so only the path is shared.
    assert error.value.path == path


BAD_TEXTS = [
    pytest.param('{"format": "backprop-lab-setup",\n "version": 1,,}', "line 2, column 15", id="syntax"),
    pytest.param("", "line 1, column 1", id="empty"),
    pytest.param("[1, 2]", "must be a JSON object", id="top-level-list"),
    pytest.param("null", "got null", id="top-level-null"),
    pytest.param('{"format": "backprop-lab-setup", "format": "x"}', "appears twice", id="duplicate-key"),
    pytest.param(" " * (MAX_CONFIG_BYTES + 1), "more than the limit", id="too-large"),
    pytest.param("é" * (MAX_CONFIG_BYTES // 2 + 1), "more than the limit", id="too-large-in-bytes"),
    pytest.param("1" * 5000, "thousands of digits", id="integer-too-long"),
    pytest.param("\ud800{}", "unpaired surrogate", id="surrogate"),
]


@pytest.mark.parametrize(("text", "words"), BAD_TEXTS)
def test_bad_text_rejected(text: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        setup_from_json(text)

    assert words in str(error.value)


def test_number_overflowing_float_rejected() -> None:
    # Python's json reads 1e400 as float("inf").
    text = setup_to_json(example_setup()).replace('"learning_rate": 0.05', '"learning_rate": 1e400')

    with pytest.raises(ConfigError, match="at most 100") as error:
        setup_from_json(text)
    assert error.value.path == "learning_rate"


def test_weight_overflowing_float_rejected() -> None:
    text = setup_to_json(example_setup()).replace("[[0.3, 0.4]]", "[[0.3, -1e400]]")

    with pytest.raises(ConfigError, match="not a finite number") as error:
        setup_from_json(text)
    assert error.value.path == "weights[1][0][1]"


def test_invalid_utf8_rejected() -> None:
    data = setup_to_json(example_setup()).encode("utf-8").replace(b'"x"', b'"\xff"')

    with pytest.raises(ConfigError, match="not valid UTF-8") as error:
        setup_from_json(data)
    assert "0xff" in str(error.value)


def test_oversized_bytes_rejected_before_decoding() -> None:
    # Invalid UTF-8 after the limit: the size check must come first.
    data = b" " * MAX_CONFIG_BYTES + b"\xff"

    with pytest.raises(ConfigError, match="more than the limit"):
        setup_from_json(data)


def test_wrong_input_type_rejected() -> None:
    with pytest.raises(ConfigError, match="JSON text or bytes"):
        setup_from_json(123)  # type: ignore[arg-type]


def test_deeply_nested_json_rejected() -> None:
    with pytest.raises(ConfigError, match="nested too deeply"):
        setup_from_json("[" * 20_000 + "]" * 20_000)


def test_deeply_nested_value_rejected() -> None:
    text = setup_to_json(example_setup()).replace('"learning_rate": 0.05', '"learning_rate": ' + "[" * 20_000 + "]" * 20_000)

    with pytest.raises(ConfigError, match="nested too deeply"):
        setup_from_json(text)


def test_deeply_nested_dict_value_rejected() -> None:
    # The list is built without recursion, and neither the checks nor the message may recurse
    # through it.
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]
    data = example_dict()
    data["weights"][0][0][0] = nested

    with pytest.raises(ConfigError, match="must be a number") as error:
        setup_from_dict(data)
    assert error.value.path == "weights[0][0][0]"


# --- tokens --------------------------------------------------------------------------------------


def make_token(data: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")


def test_zip_bomb_token_rejected() -> None:
    # 50 MB of spaces compress to about 49 KB, so the token is longer than the limit.
    token = make_token(b" " * 50_000_000)

    with pytest.raises(ConfigError, match="more than the limit"):
        setup_from_token(token)


def test_zip_bomb_within_length_rejected() -> None:
    # 15 MB of spaces give a token under MAX_TOKEN_CHARS, so only the bounded decompression
    # stops it. The memory peak shows that the 15 MB were never expanded.
    token = make_token(b" " * 15_000_000)
    assert len(token) <= MAX_TOKEN_CHARS

    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match="expands to more than"):
            setup_from_token(token)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"peak memory {peak:,} bytes"


BAD_TOKENS = [
    pytest.param("", "empty", id="empty"),
    pytest.param("abc+def", "character '+'", id="plus"),
    pytest.param("abc=", "character '='", id="padding"),
    pytest.param("abc%3D", "character '%'", id="percent-escape"),
    pytest.param("abcde", "incomplete", id="impossible-length"),
    pytest.param("A" * (MAX_TOKEN_CHARS + 1), "more than the limit", id="too-long"),
    pytest.param("SGVsbG8gd29ybGQ", "cannot be decompressed", id="not-zlib"),
    pytest.param(make_token(b"[1, 2]"), "must be a JSON object", id="json-list"),
    pytest.param(make_token(b"\xff\xfe"), "not valid UTF-8", id="not-utf8"),
    pytest.param(make_token(b"{"), "not valid JSON", id="not-json"),
]


@pytest.mark.parametrize(("token", "words"), BAD_TOKENS)
def test_bad_token_rejected(token: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        setup_from_token(token)

    assert words in str(error.value)


def test_truncated_token_rejected() -> None:
    token = setup_to_token(example_setup())

    with pytest.raises(ConfigError, match="incomplete"):
        setup_from_token(token[:-8])


def test_token_with_extra_data_rejected() -> None:
    compressed = zlib.compress(setup_to_json(example_setup()).encode("utf-8")) + b"extra"
    token = base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    with pytest.raises(ConfigError, match="extra data"):
        setup_from_token(token)


def test_token_not_text_rejected() -> None:
    with pytest.raises(ConfigError, match="must be text"):
        setup_from_token(b"abc")  # type: ignore[arg-type]


# --- properties: any input gives a setup or a ConfigError ----------------------------------------


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(10**20), max_value=10**20)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=10)
    )
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=5)
        | st.dictionaries(st.text(max_size=8), children, max_size=5),
        max_leaves=max_leaves,
    )


TOP_LEVEL_KEYS = list(example_dict())
DATA_KEYS = ["X", "y", "feature_names", "target_names"]


@st.composite
def setup_like_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """The worked example with some keys replaced by random JSON values or removed."""
    data = example_dict()
    for key in draw(st.lists(st.sampled_from(TOP_LEVEL_KEYS + ["extra"]), max_size=3)):
        if draw(st.booleans()):
            data[key] = draw(json_values())
        else:
            data.pop(key, None)
    if isinstance(data.get("data"), dict):
        for key in draw(st.lists(st.sampled_from(DATA_KEYS), max_size=2)):
            data["data"][key] = draw(json_values())
    return data


def outcome_of(read: Callable[[Any], CustomSetup], value: Any) -> None:
    """Check that ``read(value)`` returns a setup or raises ConfigError, and nothing else."""
    try:
        result = read(value)
    except ConfigError as error:
        assert str(error), "a ConfigError must carry a message"
    else:
        assert isinstance(result, CustomSetup)


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_random_bytes_json(data: bytes) -> None:
    outcome_of(setup_from_json, data)


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_random_text_json(text: str) -> None:
    outcome_of(setup_from_json, text)


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_random_text_token(text: str) -> None:
    outcome_of(setup_from_token, text)


@settings(max_examples=200)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=300))
def test_random_base64_token(text: str) -> None:
    outcome_of(setup_from_token, text)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(TOP_LEVEL_KEYS + ["other"]), json_values(), max_size=10))
def test_random_dict_json(data: dict[str, Any]) -> None:
    outcome_of(setup_from_json, json.dumps(data))
    outcome_of(setup_from_dict, data)


@settings(max_examples=300)
@given(setup_like_dicts())
def test_mutated_example_json(data: dict[str, Any]) -> None:
    outcome_of(setup_from_json, json.dumps(data))
    outcome_of(setup_from_dict, data)
    outcome_of(setup_from_token, make_token(json.dumps(data).encode("utf-8")))
