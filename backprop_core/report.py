"""A Markdown write-up of one gradient-descent step, for lecture notes.

`step_markdown` writes every number of a step: the forward pass, the cost, the deltas, the
gradients and the update, and optionally one parameter's chain rule. Formulas are LaTeX
between ``$...$`` and ``$$...$$``, which KaTeX and MathJax render. Numbers have 10
significant digits, enough to check each line by hand, and a value that is not finite is
written as "not finite".

Layers are numbered from 1 as in the UI (layer 0 is the input), and units from 0 as in the
parameter names: ``W2[0,1]`` is ``weights[1][0, 1]``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .activations import ACTIVATIONS
from .inspection import ChainRule, StepAnatomy

FloatArray = NDArray[np.float64]

NOT_FINITE = "not finite"

# Characters that Markdown or the math renderer would interpret inside a table cell or text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|$#])")


def step_markdown(
    anatomy: StepAnatomy,
    chain: ChainRule | None,
    *,
    feature_names: Sequence[str] = (),
    target_names: Sequence[str] = (),
    max_examples: int = 20,
) -> str:
    """Write one step's calculation as Markdown with LaTeX formulas.

    The report starts with the step's settings and the network. It then shows the forward
    pass (z and a of every layer per example), the cost (each example's loss and their
    mean), every layer's delta ∂C/∂z, and every parameter's gradient with its value before
    and after the update. When ``chain`` is given, it ends with that parameter's chain rule,
    factor by factor, and its update.

    Parameters
    ----------
    anatomy : StepAnatomy
        The step, as `step_anatomy` returns it.
    chain : ChainRule or None
        One parameter's chain rule in the same step, from `chain_rule(anatomy, ...)`.
    feature_names, target_names : sequence of str
        Column names for the inputs and outputs; empty for x1, x2, ... and y1, y2, ...
    max_examples : int
        Maximum number of examples listed in each per-example table (at least 1). Sums and
        means always use the whole batch, and the report notes when rows are left out.

    Returns
    -------
    str
        The Markdown text, ending with a newline.

    Raises
    ------
    ValueError
        If a list of names has the wrong length, ``max_examples`` is below 1, or ``chain``
        belongs to another step or network.
    """
    network = anatomy.network
    n_features, n_outputs = network.layer_sizes[0], network.layer_sizes[-1]
    features = _check_names(feature_names, "feature_names", n_features, "x")
    targets = _check_names(target_names, "target_names", n_outputs, "y")
    whole = isinstance(max_examples, (int, np.integer)) and not isinstance(max_examples, bool)
    if not whole or max_examples < 1:
        raise ValueError(
            f"max_examples must be a whole number of at least 1, got {max_examples!r}. It sets "
            f"how many examples each table lists."
        )
    if chain is not None:
        _check_chain(anatomy, chain)

    sections = [
        _title_section(anatomy),
        _network_section(anatomy),
        _forward_section(anatomy, features, int(max_examples)),
        _cost_section(anatomy, targets, int(max_examples)),
        _delta_section(anatomy, int(max_examples)),
        _gradient_section(anatomy),
    ]
    if chain is not None:
        sections.append(_chain_section(anatomy, chain, int(max_examples)))
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


# --- input checks --------------------------------------------------------------------------------


def _check_names(names: Sequence[str], field: str, count: int, prefix: str) -> list[str]:
    if isinstance(names, str):
        raise ValueError(f"{field} must be a sequence of names, got the single string {names!r}.")
    names = list(names)
    if not names:
        return [prefix] if count == 1 else [f"{prefix}{k + 1}" for k in range(count)]
    if len(names) != count:
        raise ValueError(
            f"{field} must have one name per column: {count} for this network, got {len(names)}. "
            f"Pass the dataset's names, or an empty tuple for default names."
        )
    return [_escape(str(name)) for name in names]


def _check_chain(anatomy: StepAnatomy, chain: ChainRule) -> None:
    network = anatomy.network
    parameter = chain.parameter
    n_batch = anatomy.X.shape[0]
    in_network = 0 <= parameter.layer < len(network.weights) and (
        0 <= parameter.row < network.weights[parameter.layer].shape[0]
    )
    if in_network and parameter.column is not None:
        in_network = 0 <= parameter.column < network.weights[parameter.layer].shape[1]
    if not in_network or np.shape(chain.contributions) != (n_batch,):
        raise ValueError(
            f"chain is for {parameter.name} over {np.size(chain.contributions)} examples, which "
            f"does not fit this step's network and batch of {n_batch}. Compute it with "
            f"chain_rule(anatomy, parameter) for the same anatomy."
        )
    if parameter.value(network) != chain.value or chain.learning_rate != anatomy.learning_rate:
        raise ValueError(
            f"chain was computed for another step: {parameter.name} is "
            f"{parameter.value(network)!r} in this step, but the chain rule used {chain.value!r}, "
            f"or another learning rate. Compute it with "
            f"chain_rule(anatomy, parameter) for the same anatomy."
        )


# --- numbers and tables --------------------------------------------------------------------------


def _number(value: float) -> str:
    """Format a number with 10 significant digits, or as "not finite"."""
    # Adding 0.0 turns -0.0 into 0.0, so a zero product prints as "0", not "-0".
    value = float(value) + 0.0
    return f"{value:.10g}" if math.isfinite(value) else NOT_FINITE


def _latex(value: float) -> str:
    """Format a number for LaTeX, writing an exponent as a power of ten."""
    text = _number(value)
    if text == NOT_FINITE:
        return rf"\text{{{NOT_FINITE}}}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _factor(value: float) -> str:
    """Format a number as a factor of a product, with a negative number in parentheses."""
    text = _latex(value)
    return f"({text})" if text.startswith("-") else text


def _latex_sum(values: FloatArray, limit: int) -> str:
    """Write ``v1 + v2 - v3 ...`` for the first ``limit`` values, then ``\\dots`` for the rest."""
    terms = []
    for position, value in enumerate(values[:limit]):
        text = _latex(value)
        if position == 0:
            terms.append(text)
        elif text.startswith("-"):
            terms.append(f"- {text[1:]}")
        else:
            terms.append(f"+ {text}")
    if len(values) > limit:
        terms.append(r"+ \dots")
    return " ".join(terms)


def _escape(text: str) -> str:
    """Escape a name for a Markdown table cell, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _example_table(
    anatomy: StepAnatomy, columns: Sequence[tuple[str, FloatArray]], max_examples: int
) -> list[str]:
    """Build a table with one row per example: its position i, its data row, then ``columns``.

    Each column's values have shape ``(n_batch,)``. Rows past ``max_examples`` are left out
    with a note. Data rows are counted from 1, as in the UI's tables.
    """
    n_batch = anatomy.X.shape[0]
    n_shown = min(n_batch, max_examples)
    headers = ["i", "data row", *(name for name, _ in columns)]
    rows = []
    for i in range(n_shown):
        data_row = int(anatomy.batch_indices[i]) + 1
        rows.append([str(i + 1), str(data_row), *(_number(values[i]) for _, values in columns)])
    lines = _table(headers, rows)
    if n_shown < n_batch:
        lines += [
            "",
            f"*The table lists the first {n_shown} of {n_batch} examples. Every sum and mean in "
            f"this report uses all {n_batch}.*",
        ]
    return lines


def _layer_name(l: int, n_layers: int) -> str:
    """Name layer ``l`` (0-based, as in ``weights[l]``) as the UI does: layer l+1."""
    return f"layer {l + 1} (output)" if l == n_layers - 1 else f"layer {l + 1}"


# --- sections ------------------------------------------------------------------------------------


def _title_section(anatomy: StepAnatomy) -> list[str]:
    n_batch = anatomy.X.shape[0]
    gradients = anatomy.gradients
    all_finite = math.isfinite(gradients.cost) and all(
        np.all(np.isfinite(grad)) for grad in (*gradients.grad_weights, *gradients.grad_biases)
    )
    warning = [] if all_finite else [
        "",
        f"**Some numbers of this step overflowed and are written as “{NOT_FINITE}”.** "
        "Backprop Lab stops training before it applies such a step. Lower the learning rate "
        "and start again.",
    ]
    return [
        f"# Gradient-descent step {anatomy.step}",
        "",
        f"- Epoch: {anatomy.epoch}",
        f"- Learning rate: $\\eta = {_latex(anatomy.learning_rate)}$",
        f"- Batch size: {n_batch} example{'s' if n_batch != 1 else ''} ($n = {n_batch}$)",
        f"- Cost before the step: $C = {_latex(anatomy.gradients.cost)}$",
        "",
        "The cost C is the mean squared error over every example and every output, with no "
        "factor ½. Layers are numbered from 1, and layer 0 is the input. Units are numbered "
        "from 0: `Wl[j,k]` is the weight from unit k of layer l−1 to unit j of layer l, and "
        "`bl[j]` is the bias of unit j of layer l.",
        *warning,
    ]


def _network_section(anatomy: StepAnatomy) -> list[str]:
    network = anatomy.network
    sizes = network.layer_sizes
    n_layers = len(network.weights)
    rows = [["0 (input)", str(sizes[0]), "none"]]
    for l, name in enumerate(network.activations):
        number = f"{l + 1} (output)" if l == n_layers - 1 else str(l + 1)
        rows.append([number, str(sizes[l + 1]), f"{name}, $f(z) = {ACTIVATIONS[name].formula}$"])
    return [
        "## The network",
        "",
        f"Layer sizes {' → '.join(str(size) for size in sizes)}.",
        "",
        *_table(["Layer", "Units", "Activation"], rows),
    ]


def _forward_section(anatomy: StepAnatomy, features: list[str], max_examples: int) -> list[str]:
    forward = anatomy.forward
    n_layers = len(anatomy.network.weights)
    lines = [
        "## 1. Forward pass",
        "",
        "Each layer l computes, for every example i and unit j,",
        "",
        r"$$z^{(l)}_{ij} = \sum_k W^{(l)}_{jk}\, a^{(l-1)}_{ik} + b^{(l)}_j, \qquad "
        r"a^{(l)}_{ij} = f_l\big(z^{(l)}_{ij}\big),$$",
        "",
        r"where $a^{(0)}_i = x_i$ is the input and the last layer's activation is the "
        r"prediction $\hat y_i$.",
        "",
        "### Inputs",
        "",
        *_example_table(
            anatomy, [(name, anatomy.X[:, k]) for k, name in enumerate(features)], max_examples
        ),
    ]
    for l in range(n_layers):
        columns = []
        for j in range(forward.z[l].shape[1]):
            columns.append((f"z{l + 1}[{j}]", forward.z[l][:, j]))
            columns.append((f"a{l + 1}[{j}]", forward.a[l + 1][:, j]))
        activation = anatomy.network.activations[l]
        lines += [
            "",
            f"### {_layer_name(l, n_layers).capitalize()}: {activation}",
            "",
            *_example_table(anatomy, columns, max_examples),
        ]
    return lines


def _cost_section(anatomy: StepAnatomy, targets: list[str], max_examples: int) -> list[str]:
    y_pred, y = anatomy.forward.output, anatomy.y
    n_batch, n_outputs = y.shape
    losses = anatomy.losses
    columns = []
    for j, name in enumerate(targets):
        # With one output the headers need no index, and the default name "y" needs no label.
        index = "" if n_outputs == 1 else f"[{j}]"
        label = "" if name == "y" else f" ({name})"
        columns += [
            (f"ŷ{index}{label}", y_pred[:, j]),
            (f"y{index}{label}", y[:, j]),
            (f"ŷ{index} − y{index}", y_pred[:, j] - y[:, j]),
        ]
    columns.append(("loss Lᵢ", losses))

    if n_outputs == 1:
        loss_text = r"Each example's loss is $L_i = (\hat y_i - y_i)^2$."
        cost_formula = r"C = \frac{1}{n}\sum_{i=1}^{n} (\hat y_i - y_i)^2"
    else:
        loss_text = (
            f"Each example's loss is the mean over its {n_outputs} outputs, "
            rf"$L_i = \frac{{1}}{{{n_outputs}}}\sum_{{j}} (\hat y_{{ij}} - y_{{ij}})^2$."
        )
        cost_formula = r"C = \frac{1}{n}\sum_{i=1}^{n} L_i"
    total = float(np.sum(losses))
    return [
        "## 2. Cost",
        "",
        loss_text,
        "",
        *_example_table(anatomy, columns, max_examples),
        "",
        "The cost is the mean of the losses:",
        "",
        f"$${cost_formula} = \\frac{{1}}{{{n_batch}}}\\big({_latex_sum(losses, max_examples)}\\big) "
        f"= \\frac{{{_latex(total)}}}{{{n_batch}}} = {_latex(anatomy.gradients.cost)}$$",
    ]


def _delta_section(anatomy: StepAnatomy, max_examples: int) -> list[str]:
    n_batch, n_outputs = anatomy.y.shape
    deltas = anatomy.gradients.deltas
    n_layers = len(deltas)
    if n_outputs == 1:
        scale = f"\\frac{{2}}{{{n_batch}}}"
    else:
        scale = f"\\frac{{2}}{{{n_batch} \\cdot {n_outputs}}}"
    lines = [
        "## 3. Backward pass: the deltas",
        "",
        r"The delta of unit j of layer l for example i is "
        r"$\delta^{(l)}_{ij} = \partial C / \partial z^{(l)}_{ij}$. "
        "For the output layer L it is the cost's slope times the activation's slope, and every "
        "earlier layer sends the deltas back through the next layer's weights:",
        "",
        rf"$$\delta^{{(L)}}_{{ij}} = {scale}\,(\hat y_{{ij}} - y_{{ij}})\, "
        r"f_L'\big(z^{(L)}_{ij}\big), \qquad "
        r"\delta^{(l)}_{ij} = f_l'\big(z^{(l)}_{ij}\big) \sum_m \delta^{(l+1)}_{im}\, W^{(l+1)}_{mj}.$$",
        "",
        f"Because C is the mean over the batch, each delta carries the factor 1/n = 1/{n_batch} "
        "of that mean. The gradients in the next section are therefore plain sums over the "
        "examples, with no further division.",
    ]
    for l in reversed(range(n_layers)):
        columns = [(f"δ{l + 1}[{j}]", deltas[l][:, j]) for j in range(deltas[l].shape[1])]
        lines += [
            "",
            f"### {_layer_name(l, n_layers).capitalize()}",
            "",
            *_example_table(anatomy, columns, max_examples),
        ]
    return lines


def _gradient_section(anatomy: StepAnatomy) -> list[str]:
    network, gradients = anatomy.network, anatomy.gradients
    rate = anatomy.learning_rate
    lines = [
        "## 4. Gradients and the update",
        "",
        "Each gradient sums, over the examples, the delta of the receiving unit times the "
        "value the parameter multiplies:",
        "",
        r"$$\frac{\partial C}{\partial W^{(l)}_{jk}} = \sum_{i=1}^{n} \delta^{(l)}_{ij}\, a^{(l-1)}_{ik}, "
        r"\qquad \frac{\partial C}{\partial b^{(l)}_j} = \sum_{i=1}^{n} \delta^{(l)}_{ij}.$$",
        "",
        f"The step moves every parameter against its gradient, "
        rf"$w_{{new}} = w_{{old}} - \eta\,\partial C / \partial w$ with $\eta = {_latex(rate)}$.",
    ]
    for l, (w, b) in enumerate(zip(network.weights, network.biases)):
        grad_w, grad_b = gradients.grad_weights[l], gradients.grad_biases[l]
        # The same float64 operation on the whole array as in Trainer, so the values match its bits.
        with np.errstate(all="ignore"):
            new_w, new_b = w - rate * grad_w, b - rate * grad_b
        rows = [
            [f"`W{l + 1}[{j},{k}]`", _number(w[j, k]), _number(grad_w[j, k]), _number(new_w[j, k])]
            for j in range(w.shape[0])
            for k in range(w.shape[1])
        ]
        rows += [
            [f"`b{l + 1}[{j}]`", _number(b[j]), _number(grad_b[j]), _number(new_b[j])]
            for j in range(b.shape[0])
        ]
        lines += [
            "",
            f"### Layer {l + 1}",
            "",
            *_table(["Parameter", "Before", "Gradient ∂C/∂parameter", "After"], rows),
        ]
    return lines


def _chain_section(anatomy: StepAnatomy, chain: ChainRule, max_examples: int) -> list[str]:
    parameter = chain.parameter
    n_batch, n_outputs = anatomy.y.shape
    layer = parameter.layer + 1
    j = parameter.row
    activation = anatomy.network.activations[parameter.layer]
    a_symbol = f"a^{{({layer})}}_{{i{j}}}"
    z_symbol = f"z^{{({layer})}}_{{i{j}}}"

    if parameter.is_bias:
        symbol = f"b^{{({layer})}}_{{{j}}}"
        input_text = r"$\partial z / \partial w = 1$ for a bias"
    else:
        k = parameter.column
        symbol = f"W^{{({layer})}}_{{{j},{k}}}"
        source = f"input {k}" if layer == 1 else f"the activation of unit {k} of layer {layer - 1}"
        input_text = rf"$\partial z / \partial w = a^{{({layer - 1})}}_{{i{k}}}$, {source}"
    if parameter.layer == len(anatomy.network.weights) - 1:
        scale = "2" if n_outputs == 1 else rf"\frac{{2}}{{{n_outputs}}}"
        upstream_text = (
            rf"$\partial L_i / \partial {a_symbol} = {scale}\,(\hat y_{{i{j}}} - y_{{i{j}}})$, "
            "the slope of the example's own loss"
        )
    else:
        upstream_text = (
            rf"$\partial L_i / \partial {a_symbol} = n \sum_m \delta^{{({layer + 1})}}_{{im}}\, "
            rf"W^{{({layer + 1})}}_{{m{j}}}$. The factor n undoes the 1/n that the deltas carry, "
            "because one example's loss is not averaged over the batch"
        )

    columns = [
        ("∂Lᵢ/∂a", chain.upstream),
        ("∂a/∂z", chain.activation_slope),
        ("∂z/∂w", chain.input_value),
        ("∂Lᵢ/∂w = product", chain.contributions),
    ]
    chain_formula = (
        rf"$$\frac{{\partial L_i}}{{\partial w}} = \frac{{\partial L_i}}{{\partial {a_symbol}}} \cdot "
        rf"\frac{{\partial {a_symbol}}}{{\partial {z_symbol}}} \cdot "
        rf"\frac{{\partial {z_symbol}}}{{\partial w}}$$"
    )
    first = (
        rf"$$\frac{{\partial L_1}}{{\partial w}} = {_factor(chain.upstream[0])} \cdot "
        rf"{_factor(chain.activation_slope[0])} \cdot {_factor(chain.input_value[0])} = "
        rf"{_latex(chain.contributions[0])}$$"
    )
    total = float(np.sum(chain.contributions))
    mean = (
        r"$$\frac{\partial C}{\partial w} = \frac{1}{n}\sum_{i=1}^{n} \frac{\partial L_i}{\partial w} = "
        rf"\frac{{1}}{{{n_batch}}}\big({_latex_sum(chain.contributions, max_examples)}\big) = "
        rf"\frac{{{_latex(total)}}}{{{n_batch}}} = {_latex(chain.gradient)}$$"
    )
    update = (
        r"$$w_{new} = w_{old} - \eta\,\frac{\partial C}{\partial w} = "
        rf"{_latex(chain.value)} - {_factor(chain.learning_rate)} \cdot {_factor(chain.gradient)} = "
        rf"{_latex(chain.new_value)}$$"
    )
    return [
        f"## 5. The chain rule for `{parameter.name}`",
        "",
        f"Write $w = {symbol}$ for `{parameter.name}`, and $L_i$ for example i's loss. The "
        f"parameter feeds unit {j} of layer {layer}, so for each example",
        "",
        chain_formula,
        "",
        f"- {upstream_text};",
        rf"- $\partial a / \partial z = f_{{{layer}}}'(z)$, the slope of the {activation} "
        "activation at z;",
        f"- {input_text}.",
        "",
        *_example_table(anatomy, columns, max_examples),
        "",
        "For the first example:",
        "",
        first,
        "",
        "The batch gradient is the mean of the examples' gradients:",
        "",
        mean,
        "",
        "The update:",
        "",
        update,
    ]
