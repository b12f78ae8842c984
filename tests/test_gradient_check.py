"""Central-difference gradient checks of the backward pass.

For each parameter θ_i the cost is evaluated at θ_i + h and θ_i - h, and the slope
(C(θ + h e_i) - C(θ - h e_i)) / 2h is compared with the backpropagated gradient.

How close the two can be is limited by rounding, not by the method. The truncation error of
a central difference is about h² C''' / 6, near 1e-12 for h = 1e-6. But each cost is rounded
to about eps · C, so the difference quotient carries an absolute error of about eps · C / h,
near 2e-10 · C. A gradient component much smaller than that cannot be checked to 1e-7
relative. So the per-parameter check divides by max(|analytic|, |numeric|, floor), where
floor = NOISE_MARGIN · eps · C / h / RELATIVE_TOLERANCE: components above the floor must agree
to 1e-7 relative, and those below it to NOISE_MARGIN · eps · C / h absolute. The max-norm check
compares the whole vectors with no floor.
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop_core import ACTIVATIONS, Network, mean_squared_error

H = 1e-6
RELATIVE_TOLERANCE = 1e-7
EPS = np.finfo(np.float64).eps

# How many times the rounding noise eps · C / h a tiny component may be off. In the cases
# below the largest error is about 3 eps · C / h, so 30 leaves room. Real bugs give errors
# of the size of the gradient itself, far above this.
NOISE_MARGIN = 30.0

# ReLU and leaky ReLU have a kink at z = 0 where the central difference is meaningless.
KINKED = {"relu", "leaky_relu"}
KINK_CLEARANCE = 1e-3

ACTIVATION_NAMES = sorted(ACTIVATIONS)
HIDDEN_LAYOUTS = {
    "1-3-1": (1, 3, 1),
    "2-4-3-1": (2, 4, 3, 1),
    "3-5-5-5-2": (3, 5, 5, 5, 2),
    "six-hidden": (2, 4, 4, 4, 4, 4, 4, 1),
}
N_SAMPLES = 6
MAX_DRAWS = 100


# --- helpers ---------------------------------------------------------------------------------


def draw_problem(
    layer_sizes: tuple[int, ...], activations: list[str], first_seed: int = 0
) -> tuple[Network, np.ndarray, np.ndarray]:
    """Draw a seeded network and data whose ReLU-family z values avoid the kink.

    Weights come from the default initialiser and biases from N(0, 0.5²), so that z = 0 is
    not special. A ReLU-family output layer gets +1 on its biases: an output below zero
    passes no gradient back, which would make the check prove nothing. Seeds are tried in
    order until every ReLU-family z is at least KINK_CLEARANCE away from 0.
    """
    for seed in range(first_seed, first_seed + MAX_DRAWS):
        rng = np.random.default_rng(seed)
        initial = Network.initialize(layer_sizes, activations, seed=seed)
        biases = [rng.normal(0.0, 0.5, size=b.shape) for b in initial.biases]
        if activations[-1] in KINKED:
            biases[-1] += 1.0
        network = Network.from_parameters(initial.weights, biases, activations)
        X = rng.uniform(-1.0, 1.0, size=(N_SAMPLES, layer_sizes[0]))
        y = rng.uniform(-1.0, 1.0, size=(N_SAMPLES, layer_sizes[-1]))
        if min_kink_distance(network, X) > KINK_CLEARANCE:
            return network, X, y
    raise RuntimeError(f"No draw in {MAX_DRAWS} seeds kept every z away from the ReLU kink.")


def min_kink_distance(network: Network, X: np.ndarray) -> float:
    """Return the smallest |z| over the layers with a kinked activation (inf if none)."""
    forward = network.forward(X)
    distances = [
        np.abs(z).min() for z, name in zip(forward.z, network.activations) if name in KINKED
    ]
    return min(distances, default=np.inf)


def analytic_gradient(network: Network, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Return the backpropagated gradient in `parameters_vector` order, and the cost."""
    result = network.backward(network.forward(X), y)
    parts = []
    for grad_w, grad_b in zip(result.grad_weights, result.grad_biases):
        parts += [grad_w.ravel(), grad_b]
    return np.concatenate(parts), result.cost


def numeric_gradient(network: Network, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Estimate ∂C/∂θ_i for every parameter by central differences on a copy of the network."""
    theta = network.parameters_vector()
    probe = network.copy()
    gradient = np.empty_like(theta)
    for i in range(theta.size):
        shifted = theta.copy()
        shifted[i] = theta[i] + H
        upper = shifted[i]
        probe.set_parameters_vector(shifted)
        cost_upper = probe.cost(X, y)

        shifted[i] = theta[i] - H
        lower = shifted[i]
        probe.set_parameters_vector(shifted)
        cost_lower = probe.cost(X, y)

        # Divide by the step actually taken, because theta[i] ± H is itself rounded.
        gradient[i] = (cost_upper - cost_lower) / (upper - lower)
    return gradient


def assert_gradients_close(
    analytic: np.ndarray, numeric: np.ndarray, cost: float, names: list[str], label: str
) -> None:
    """Assert the max-norm and the per-parameter relative differences are below 1e-7."""
    scale = max(np.abs(analytic).max(), np.abs(numeric).max())
    max_norm_error = np.abs(analytic - numeric).max() / max(scale, np.finfo(np.float64).tiny)
    assert max_norm_error < RELATIVE_TOLERANCE, (
        f"{label}: max-norm relative error {max_norm_error:.3g}"
    )

    floor = NOISE_MARGIN * EPS * cost / H / RELATIVE_TOLERANCE
    denominators = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    errors = np.abs(analytic - numeric) / denominators
    worst = int(np.argmax(errors))
    assert errors[worst] < RELATIVE_TOLERANCE, (
        f"{label}: {names[worst]} analytic {analytic[worst]:.12g} vs numeric "
        f"{numeric[worst]:.12g}, relative error {errors[worst]:.3g} (floor {floor:.3g})"
    )


def gradient_cases() -> list:
    cases = [pytest.param((1, 1), [name], id=f"1-1-{name}") for name in ACTIVATION_NAMES]
    for layout_id, layer_sizes in HIDDEN_LAYOUTS.items():
        for hidden in ACTIVATION_NAMES:
            for output in ACTIVATION_NAMES:
                activations = [hidden] * (len(layer_sizes) - 2) + [output]
                case_id = f"{layout_id}-{hidden}-{output}"
                cases.append(pytest.param(layer_sizes, activations, id=case_id))
    return cases


# --- parameter gradients ---------------------------------------------------------------------


@pytest.mark.parametrize(("layer_sizes", "activations"), gradient_cases())
def test_gradient_matches_central_difference(
    layer_sizes: tuple[int, ...], activations: list[str]
) -> None:
    network, X, y = draw_problem(layer_sizes, activations)
    assert min_kink_distance(network, X) > KINK_CLEARANCE, "a z value sits at the ReLU kink"

    analytic, cost = analytic_gradient(network, X, y)
    numeric = numeric_gradient(network, X, y)

    # An all-zero gradient would agree with anything.
    assert np.abs(analytic).max() > 1e-3, "the gradient is almost zero; the check proves nothing"
    assert_gradients_close(analytic, numeric, cost, network.parameter_names(), "gradient")


# --- deltas ----------------------------------------------------------------------------------


def cost_from_layer(network: Network, layer: int, z: np.ndarray, y: np.ndarray) -> float:
    """Return the cost when z[layer] is replaced by ``z`` and the later layers run as usual."""
    a = ACTIVATIONS[network.activations[layer]].function(z)
    for weights, biases, name in zip(
        network.weights[layer + 1 :], network.biases[layer + 1 :], network.activations[layer + 1 :]
    ):
        a = ACTIVATIONS[name].function(a @ weights.T + biases)
    return mean_squared_error(a, y)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_deltas_match_central_difference(activation: str) -> None:
    # delta[l] = ∂C/∂z[l], with C the mean over the batch, so each entry is checked by
    # nudging that single z and running only the layers after it.
    layer_sizes = (2, 4, 3, 2)
    activations = [activation] * 3
    network, X, y = draw_problem(layer_sizes, activations)
    forward = network.forward(X)
    result = network.backward(forward, y)

    for layer in range(len(network.weights)):
        z = forward.z[layer]
        numeric = np.empty_like(z)
        for index in np.ndindex(z.shape):
            shifted = z.copy()
            shifted[index] = z[index] + H
            upper = shifted[index]
            cost_upper = cost_from_layer(network, layer, shifted, y)
            shifted[index] = z[index] - H
            lower = shifted[index]
            cost_lower = cost_from_layer(network, layer, shifted, y)
            numeric[index] = (cost_upper - cost_lower) / (upper - lower)

        names = [f"deltas[{layer}][{i},{j}]" for i, j in np.ndindex(z.shape)]
        assert np.abs(result.deltas[layer]).max() > 1e-4, f"deltas[{layer}] almost zero"
        assert_gradients_close(
            result.deltas[layer].ravel(), numeric.ravel(), result.cost, names, f"deltas[{layer}]"
        )


def test_cost_from_layer_matches_network() -> None:
    # cost_from_layer must reproduce the network's own cost when z is left as it is.
    # Otherwise the delta check above would compare against a different function.
    network, X, y = draw_problem((2, 4, 3, 2), ["tanh", "sigmoid", "linear"])
    forward = network.forward(X)
    for layer in range(3):
        np.testing.assert_allclose(
            cost_from_layer(network, layer, forward.z[layer], y),
            network.cost(X, y),
            rtol=1e-15,
            err_msg=f"cost rebuilt from z[{layer}]",
        )
