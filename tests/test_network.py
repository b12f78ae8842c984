"""Tests for `Network`: shapes, a hand-worked forward and backward pass, validation,
initialisers and the parameter vector."""

from __future__ import annotations

import re

import numpy as np
import pytest

from backprop_core import INITIALIZERS, Network

LAYOUTS = [(1, 1), (1, 3, 1), (2, 4, 3, 1), (3, 5, 5, 5, 2)]

# The data of the hand-worked examples: y = 2x + 1 at x = 0, 1, 2, 3.
X_LINE = np.array([[0.0], [1.0], [2.0], [3.0]])
Y_LINE = np.array([1.0, 3.0, 5.0, 7.0])


def tanh_network(layer_sizes: tuple[int, ...], seed: int = 0) -> Network:
    """Build a seeded network with tanh hidden layers and a linear output layer."""
    activations = ["tanh"] * (len(layer_sizes) - 2) + ["linear"]
    return Network.initialize(layer_sizes, activations, seed=seed)


def random_data(
    layer_sizes: tuple[int, ...], n_samples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Draw X of shape (n_samples, layer_sizes[0]) and y of shape (n_samples, layer_sizes[-1])."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, layer_sizes[0]))
    y = rng.uniform(-1.0, 1.0, size=(n_samples, layer_sizes[-1]))
    return X, y


def valid_parameters() -> dict:
    """Return from_parameters arguments for a valid 2-3-1 network."""
    return {
        "weights": [np.full((3, 2), 0.5), np.full((1, 3), -0.5)],
        "biases": [np.zeros(3), np.zeros(1)],
        "activations": ["tanh", "linear"],
    }


# --- shapes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("layer_sizes", LAYOUTS, ids=str)
def test_shapes_of_every_array(layer_sizes: tuple[int, ...]) -> None:
    network = tanh_network(layer_sizes)
    n_samples = 7
    X, y = random_data(layer_sizes, n_samples, seed=1)

    forward = network.forward(X)
    result = network.backward(forward, y)

    n_layers = len(layer_sizes) - 1
    assert network.layer_sizes == layer_sizes, "layer_sizes"
    assert len(network.weights) == n_layers, "number of weight matrices"
    assert len(forward.z) == n_layers, "number of z arrays"
    assert len(forward.a) == n_layers + 1, "number of a arrays (a[0] is X)"
    assert len(result.deltas) == n_layers, "number of deltas"
    for l in range(n_layers):
        n_in, n_out = layer_sizes[l], layer_sizes[l + 1]
        assert network.weights[l].shape == (n_out, n_in), f"weights[{l}]"
        assert network.biases[l].shape == (n_out,), f"biases[{l}]"
        assert forward.z[l].shape == (n_samples, n_out), f"z[{l}]"
        assert forward.a[l + 1].shape == (n_samples, n_out), f"a[{l + 1}]"
        assert result.deltas[l].shape == (n_samples, n_out), f"deltas[{l}]"
        assert result.grad_weights[l].shape == (n_out, n_in), f"grad_weights[{l}]"
        assert result.grad_biases[l].shape == (n_out,), f"grad_biases[{l}]"
    assert forward.output.shape == (n_samples, layer_sizes[-1]), "output"
    expected_count = sum(
        n_out * n_in + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])
    )
    assert network.n_parameters == expected_count, "n_parameters"


@pytest.mark.parametrize("layer_sizes", LAYOUTS, ids=str)
def test_first_activation_is_input(layer_sizes: tuple[int, ...]) -> None:
    network = tanh_network(layer_sizes)
    X, _ = random_data(layer_sizes, 5, seed=2)

    forward = network.forward(X)

    np.testing.assert_array_equal(forward.a[0], X, err_msg="a[0] must equal X")
    np.testing.assert_array_equal(forward.output, forward.a[-1], err_msg="output is a[-1]")
    np.testing.assert_array_equal(network.predict(X), forward.output, err_msg="predict(X)")


# --- hand-worked 1-2-1 network ---------------------------------------------------------------


def test_hand_worked_1_2_1_network() -> None:
    # Network 1-2-1, tanh hidden layer, linear output:
    #   W1 = [[0.1], [-0.2]], b1 = [0.05, -0.05], W2 = [[0.3, 0.4]], b2 = [0.1].
    network = Network.from_parameters(
        [[[0.1], [-0.2]], [[0.3, 0.4]]], [[0.05, -0.05], [0.1]], ["tanh", "linear"]
    )

    forward = network.forward(X_LINE)
    result = network.backward(forward, Y_LINE)

    # The example x = 1, y = 3 (row 1), forward:
    #   z1 = W1 x + b1 = [0.1·1 + 0.05, -0.2·1 - 0.05]     = [0.15, -0.25]
    #   a1 = tanh(z1)                                      = [0.1488850336, -0.2449186624]
    #   z2 = 0.3·0.1488850336 + 0.4·(-0.2449186624) + 0.1
    #      = 0.0446655101 - 0.0979674650 + 0.1             = 0.0466980451
    #   ŷ = a2 = z2 (linear output)                        = 0.0466980451
    np.testing.assert_allclose(forward.z[0][1], [0.15, -0.25], atol=1e-15, err_msg="z[0], x = 1")
    np.testing.assert_allclose(
        forward.a[1][1], [0.1488850336, -0.2449186624], atol=1e-10, err_msg="a[1], x = 1"
    )
    np.testing.assert_allclose(forward.z[1][1], [0.0466980451], atol=1e-10, err_msg="z[1], x = 1")
    np.testing.assert_allclose(forward.a[2][1], [0.0466980451], atol=1e-10, err_msg="a[2], x = 1")

    # Backward for the same example. C is the mean over n = 4 examples, so
    #   delta2 = ∂C/∂z2 = (2/4)(ŷ - y) · 1 = 0.5 · (0.0466980451 - 3)  = -1.4766509774
    #   delta1 = (delta2 · W2) ⊙ (1 - a1²)
    #          = [-1.4766509774 · 0.3 · (1 - 0.0221667532),
    #             -1.4766509774 · 0.4 · (1 - 0.0599851512)]
    #          = [-0.4429952932 · 0.9778332468, -0.5906603910 · 0.9400148488]
    #          = [-0.4331755259, -0.5552295381]
    np.testing.assert_allclose(
        result.deltas[1][1], [-1.4766509774], atol=1e-10, err_msg="deltas[1], x = 1"
    )
    np.testing.assert_allclose(
        result.deltas[0][1], [-0.4331755259, -0.5552295381], atol=1e-10, err_msg="deltas[0], x = 1"
    )

    # Cost over all four examples: ŷ = 0.0950041625, 0.0466980451, 0.0047159966, -0.0277553231
    # gives losses (ŷ - y)² = 0.8190174659, 8.7219924367, 24.9528622744, 49.3893448818,
    # whose mean is 83.8832170588 / 4 = 20.9708042647.
    np.testing.assert_allclose(result.cost, 20.970804264697, atol=1e-9, err_msg="cost")
    np.testing.assert_allclose(
        network.cost(X_LINE, Y_LINE), 20.970804264697, atol=1e-9, err_msg="Network.cost"
    )

    # Each gradient is a sum over the examples of delta times the incoming activation.
    for l in range(2):
        np.testing.assert_allclose(
            result.grad_weights[l],
            result.deltas[l].T @ forward.a[l],
            rtol=1e-15,
            err_msg=f"grad_weights[{l}] = deltas[{l}]ᵀ a[{l}]",
        )
        np.testing.assert_allclose(
            result.grad_biases[l],
            result.deltas[l].sum(axis=0),
            rtol=1e-15,
            err_msg=f"grad_biases[{l}] = column sums of deltas[{l}]",
        )


def test_hand_worked_linear_neuron_gradient() -> None:
    # ŷ = w x + b with w = b = 0 predicts 0, so ŷ - y = -y = [-1, -3, -5, -7].
    #   C     = (1 + 9 + 25 + 49) / 4                   = 21
    #   ∂C/∂w = (2/4) Σ (ŷ - y) x = 0.5 · (0 - 3 - 10 - 21) = -17
    #   ∂C/∂b = (2/4) Σ (ŷ - y)   = 0.5 · (-16)             = -8
    network = Network.from_parameters([[[0.0]]], [[0.0]], ["linear"])

    result = network.backward(network.forward(X_LINE), Y_LINE)

    np.testing.assert_allclose(result.cost, 21.0, rtol=1e-15, err_msg="cost")
    np.testing.assert_allclose(result.grad_weights[0], [[-17.0]], rtol=1e-15, err_msg="∂C/∂w")
    np.testing.assert_allclose(result.grad_biases[0], [-8.0], rtol=1e-15, err_msg="∂C/∂b")
    # Each example's delta is (2/4)(ŷ - y): [-0.5, -1.5, -2.5, -3.5].
    np.testing.assert_allclose(
        result.deltas[0][:, 0], [-0.5, -1.5, -2.5, -3.5], rtol=1e-15, err_msg="deltas[0]"
    )


# --- validation ------------------------------------------------------------------------------


def _replace(**changes) -> dict:
    arguments = valid_parameters()
    arguments.update(changes)
    return arguments


FROM_PARAMETERS_ERRORS = [
    pytest.param(_replace(weights=[], biases=[], activations=[]), r"weights", id="no layers"),
    pytest.param(
        _replace(weights=[np.full(2, 0.5), np.full((1, 3), -0.5)]), r"weights\[0\]", id="1-D weights"
    ),
    pytest.param(
        _replace(weights=[np.ones((3, 2, 1)), np.full((1, 3), -0.5)]),
        r"weights\[0\]",
        id="3-D weights",
    ),
    pytest.param(
        _replace(weights=[np.ones((0, 2)), np.ones((1, 0))], biases=[np.zeros(0), np.zeros(1)]),
        r"weights\[0\]",
        id="empty weights",
    ),
    pytest.param(_replace(biases=[np.zeros(2), np.zeros(1)]), r"biases\[0\]", id="bias length"),
    pytest.param(
        _replace(biases=[np.zeros(3), np.zeros((1, 1))]), r"biases\[1\]", id="2-D biases"
    ),
    pytest.param(
        _replace(weights=[np.full((3, 2), 0.5), np.full((1, 4), -0.5)]),
        r"weights\[1\]",
        id="shapes do not chain",
    ),
    pytest.param(
        _replace(weights=[np.array([[0.5, np.nan]] * 3), np.full((1, 3), -0.5)]),
        r"weights\[0\].*finite",
        id="nan weight",
    ),
    pytest.param(
        _replace(biases=[np.zeros(3), np.array([np.inf])]), r"biases\[1\].*finite", id="inf bias"
    ),
    pytest.param(
        _replace(activations=["tanh", "softmax"]), r"activation.*'softmax'", id="unknown activation"
    ),
    pytest.param(_replace(activations=["tanh"]), r"activations", id="too few activations"),
    pytest.param(
        _replace(activations=["tanh", "linear", "linear"]), r"activations", id="too many activations"
    ),
    pytest.param(_replace(biases=[np.zeros(3)]), r"biases", id="too few biases"),
]


@pytest.mark.parametrize(("arguments", "pattern"), FROM_PARAMETERS_ERRORS)
def test_from_parameters_rejects(arguments: dict, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        Network.from_parameters(**arguments)


def test_from_parameters_accepts_valid() -> None:
    network = Network.from_parameters(**valid_parameters())
    assert network.layer_sizes == (2, 3, 1), "layer_sizes"
    assert network.activations == ("tanh", "linear"), "activations"


def test_from_parameters_copies_arrays() -> None:
    arguments = valid_parameters()
    network = Network.from_parameters(**arguments)

    arguments["weights"][0][0, 0] = 99.0
    arguments["biases"][0][0] = 99.0

    assert network.weights[0][0, 0] == 0.5, "weights must be copied, not shared with the caller"
    assert network.biases[0][0] == 0.0, "biases must be copied, not shared with the caller"


@pytest.mark.parametrize(
    ("layer_sizes", "activations", "init", "pattern"),
    [
        ((3,), [], "auto", r"layer_sizes"),
        ((2, 0, 1), ["tanh", "linear"], "auto", r"layer_sizes\[1\]"),
        ((2, 2.5, 1), ["tanh", "linear"], "auto", r"layer_sizes\[1\]"),
        ((True, 3, 1), ["tanh", "linear"], "auto", r"layer_sizes\[0\]"),
        ((2, 3, 1), ["tanh"], "auto", r"activations"),
        ((2, 3, 1), ["tanh", "swish"], "auto", r"activation.*'swish'"),
        ((2, 3, 1), ["tanh", "linear"], "orthogonal", r"initialiser.*'orthogonal'"),
    ],
    ids=[
        "one layer",
        "zero units",
        "fractional units",
        "bool units",
        "activation count",
        "unknown activation",
        "unknown initialiser",
    ],
)
def test_initialize_rejects(layer_sizes, activations, init, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        Network.initialize(layer_sizes, activations, init=init)


@pytest.mark.parametrize(
    ("X", "y", "pattern"),
    [
        (np.zeros((4, 3)), np.zeros(4), r"X must have shape \(n_samples, 2\)"),
        (np.zeros(4), np.zeros(4), r"X must have shape"),
        (np.zeros((0, 2)), np.zeros(0), r"X has no rows"),
        (np.zeros((4, 2)), np.zeros(3), r"y must have shape \(4, 1\)"),
        (np.zeros((4, 2)), np.zeros((4, 2)), r"y must have shape \(4, 1\)"),
    ],
    ids=["X columns", "X 1-D", "X empty", "y rows", "y columns"],
)
def test_cost_rejects_bad_data(X, y, pattern) -> None:
    network = Network.from_parameters(**valid_parameters())
    with pytest.raises(ValueError, match=pattern):
        network.cost(X, y)


# --- backward is pure ------------------------------------------------------------------------


def test_backward_changes_nothing() -> None:
    layer_sizes = (3, 5, 5, 2)
    network = tanh_network(layer_sizes, seed=3)
    X, y = random_data(layer_sizes, 6, seed=4)
    parameters_before = network.parameters_vector()
    forward = network.forward(X)
    z_before = [z.copy() for z in forward.z]
    a_before = [a.copy() for a in forward.a]

    first = network.backward(forward, y)
    second = network.backward(forward, y)

    np.testing.assert_array_equal(
        network.parameters_vector(), parameters_before, err_msg="parameters after backward"
    )
    for l in range(len(z_before)):
        np.testing.assert_array_equal(forward.z[l], z_before[l], err_msg=f"forward.z[{l}]")
    for l in range(len(a_before)):
        np.testing.assert_array_equal(forward.a[l], a_before[l], err_msg=f"forward.a[{l}]")
    assert first.cost == second.cost, "cost differs between two backward calls"
    for l in range(len(z_before)):
        np.testing.assert_array_equal(first.deltas[l], second.deltas[l], err_msg=f"deltas[{l}]")
        np.testing.assert_array_equal(
            first.grad_weights[l], second.grad_weights[l], err_msg=f"grad_weights[{l}]"
        )
        np.testing.assert_array_equal(
            first.grad_biases[l], second.grad_biases[l], err_msg=f"grad_biases[{l}]"
        )


def test_targets_1d_same_as_column() -> None:
    network = Network.from_parameters(**valid_parameters())
    X = np.array([[0.0, 1.0], [1.0, -1.0], [0.5, 0.5]])
    y_column = np.array([[0.2], [-0.4], [1.0]])
    y_flat = y_column[:, 0]

    forward = network.forward(X)
    from_column = network.backward(forward, y_column)
    from_flat = network.backward(forward, y_flat)

    assert network.cost(X, y_flat) == network.cost(X, y_column), "cost with 1-D y"
    assert from_flat.cost == from_column.cost, "backward cost with 1-D y"
    for l in range(2):
        np.testing.assert_array_equal(
            from_flat.grad_weights[l], from_column.grad_weights[l], err_msg=f"grad_weights[{l}]"
        )


# --- initialisation --------------------------------------------------------------------------


@pytest.mark.parametrize("init", ["auto", "xavier", "he", "small_normal"])
def test_initialize_deterministic_per_seed(init: str) -> None:
    layer_sizes = (2, 6, 6, 1)
    activations = ["relu", "tanh", "linear"]

    first = Network.initialize(layer_sizes, activations, init=init, seed=11)
    again = Network.initialize(layer_sizes, activations, init=init, seed=11)
    other = Network.initialize(layer_sizes, activations, init=init, seed=12)

    np.testing.assert_array_equal(
        first.parameters_vector(), again.parameters_vector(), err_msg="same seed"
    )
    for l in range(3):
        assert not np.array_equal(first.weights[l], other.weights[l]), (
            f"weights[{l}] equal for seeds 11 and 12"
        )


# A 400 x 600 layer has 240,000 weights. The standard error of their sample mean and
# standard deviation is then about 0.2 % of the true standard deviation, far inside the
# 3 % tolerances below.
BIG_IN, BIG_OUT = 600, 400


def big_layer(init: str, activation: str = "tanh", constant: float = 0.5) -> Network:
    return Network.initialize((BIG_IN, BIG_OUT), [activation], init=init, seed=5, constant=constant)


def test_xavier_uniform_bound() -> None:
    # r = √(6 / (600 + 400)) = √0.006 ≈ 0.0774597, and U(-r, r) has standard deviation r / √3.
    weights = big_layer("xavier").weights[0]
    bound = np.sqrt(6.0 / (BIG_IN + BIG_OUT))

    assert np.abs(weights).max() <= bound, "a weight lies outside [-r, r]"
    assert np.abs(weights).max() > 0.999 * bound, "the weights do not reach the bound"
    np.testing.assert_allclose(weights.std(), bound / np.sqrt(3.0), rtol=0.03, err_msg="std")
    np.testing.assert_allclose(weights.mean(), 0.0, atol=0.03 * bound, err_msg="mean")


def test_he_normal_std() -> None:
    # N(0, 2 / n_in): standard deviation √(2 / 600) ≈ 0.0577350.
    weights = big_layer("he").weights[0]
    std = np.sqrt(2.0 / BIG_IN)

    np.testing.assert_allclose(weights.std(), std, rtol=0.03, err_msg="std")
    np.testing.assert_allclose(weights.mean(), 0.0, atol=0.03 * std, err_msg="mean")


def test_small_normal_std() -> None:
    weights = big_layer("small_normal").weights[0]
    np.testing.assert_allclose(weights.std(), 0.1, rtol=0.03, err_msg="std")
    np.testing.assert_allclose(weights.mean(), 0.0, atol=0.003, err_msg="mean")


@pytest.mark.parametrize("init", ["xavier", "he", "small_normal", "zeros", "auto"])
def test_random_initialisers_zero_biases(init: str) -> None:
    network = big_layer(init)
    np.testing.assert_array_equal(network.biases[0], 0.0, err_msg=f"biases under {init}")


def test_zeros_initialiser() -> None:
    network = big_layer("zeros")
    np.testing.assert_array_equal(network.weights[0], 0.0, err_msg="weights")


def test_constant_initialiser() -> None:
    network = Network.initialize((3, 4, 2), ["tanh", "linear"], init="constant", constant=-0.25)
    np.testing.assert_array_equal(network.parameters_vector(), -0.25, err_msg="every parameter")


def test_constant_initialiser_rejects_nan() -> None:
    with pytest.raises(ValueError, match=r"constant.*finite"):
        Network.initialize((3, 1), ["linear"], init="constant", constant=float("nan"))


@pytest.mark.parametrize(
    ("activation", "expected"),
    [("relu", "he"), ("leaky_relu", "he"), ("tanh", "xavier"), ("sigmoid", "xavier"), ("linear", "xavier")],
)
def test_auto_initialiser_choice(activation: str, expected: str) -> None:
    # One layer draws from one generator, so "auto" must give exactly the chosen rule's numbers.
    automatic = Network.initialize((5, 4), [activation], init="auto", seed=9)
    explicit = Network.initialize((5, 4), [activation], init=expected, seed=9)
    np.testing.assert_array_equal(
        automatic.weights[0], explicit.weights[0], err_msg=f"auto for {activation}"
    )


def test_registry_lists_initialisers() -> None:
    assert set(INITIALIZERS) == {"xavier", "he", "small_normal", "zeros", "constant"}, (
        "initialiser names"
    )


# --- parameter vector and names --------------------------------------------------------------


def test_parameters_vector_round_trip() -> None:
    network = tanh_network((2, 4, 3, 1), seed=6)
    vector = network.parameters_vector()
    new_vector = np.arange(vector.size, dtype=np.float64) / 10.0

    network.set_parameters_vector(new_vector)

    np.testing.assert_array_equal(network.parameters_vector(), new_vector, err_msg="round trip")
    assert vector.shape == (network.n_parameters,), "vector shape"
    # The first entries are weights[0] row by row, then biases[0].
    np.testing.assert_array_equal(network.weights[0].ravel(), new_vector[:8], err_msg="weights[0]")
    np.testing.assert_array_equal(network.biases[0], new_vector[8:12], err_msg="biases[0]")


def test_parameters_vector_is_copy() -> None:
    network = tanh_network((2, 3, 1), seed=6)
    vector = network.parameters_vector()
    vector[:] = 42.0
    assert not np.any(network.parameters_vector() == 42.0), "vector shares memory with the network"


def test_set_parameters_vector_rejects_length() -> None:
    network = tanh_network((2, 3, 1), seed=6)
    with pytest.raises(ValueError, match=r"\(13,\)"):
        network.set_parameters_vector(np.zeros(12))


def test_set_parameters_vector_rejects_nan() -> None:
    network = tanh_network((2, 3, 1), seed=6)
    vector = network.parameters_vector()
    vector[0] = np.nan
    with pytest.raises(ValueError, match=r"finite"):
        network.set_parameters_vector(vector)


def test_parameter_names_match_vector() -> None:
    # Give every parameter a value that encodes where it lives: 100·layer + 10·j + k for
    # weights and 100·layer + 50 + j for biases. Then each name must point at its value.
    layer_sizes = (3, 4, 2)
    weights = []
    biases = []
    for layer, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
        j, k = np.meshgrid(np.arange(n_out), np.arange(n_in), indexing="ij")
        weights.append(100.0 * layer + 10.0 * j + k)
        biases.append(100.0 * layer + 50.0 + np.arange(n_out))
    network = Network.from_parameters(weights, biases, ["tanh", "linear"])

    names = network.parameter_names()
    vector = network.parameters_vector()

    assert len(names) == vector.size, "one name per parameter"
    assert names[:4] == ["W1[0,0]", "W1[0,1]", "W1[0,2]", "W1[1,0]"], "first weight names"
    assert names[12:16] == ["b1[0]", "b1[1]", "b1[2]", "b1[3]"], "first bias names"
    pattern = re.compile(r"^(W|b)(\d+)\[(\d+)(?:,(\d+))?\]$")
    for name, value in zip(names, vector):
        match = pattern.match(name)
        assert match is not None, f"unexpected name format {name!r}"
        kind, layer, j, k = match.groups()
        layer_index = int(layer) - 1
        if kind == "W":
            stored = network.weights[layer_index][int(j), int(k)]
        else:
            stored = network.biases[layer_index][int(j)]
        assert stored == value, f"{name} names {stored}, but the vector holds {value}"


# --- copies ----------------------------------------------------------------------------------


def test_copy_is_independent() -> None:
    original = tanh_network((2, 3, 1), seed=8)
    before = original.parameters_vector()

    duplicate = original.copy()
    duplicate.weights[0][0, 0] += 1.0
    duplicate.biases[1][0] -= 1.0
    duplicate.set_parameters_vector(duplicate.parameters_vector() * 2.0)

    np.testing.assert_array_equal(original.parameters_vector(), before, err_msg="original changed")
    assert duplicate.activations == original.activations, "activations copied"
    for l in range(2):
        assert not np.shares_memory(duplicate.weights[l], original.weights[l]), f"weights[{l}]"
        assert not np.shares_memory(duplicate.biases[l], original.biases[l]), f"biases[{l}]"
