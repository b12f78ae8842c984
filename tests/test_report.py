"""Tests for the Markdown report of one step: its numbers, truncation, names and bad arguments."""

from __future__ import annotations

import re

import numpy as np
import pytest

from backprop_core.config import example_setup
from backprop_core.inspection import ParameterRef, StepAnatomy, chain_rule, step_anatomy
from backprop_core.network import Network
from backprop_core.report import step_markdown
from backprop_core.training import Trainer

# Words that would show a non-finite number leaking into the text as Python prints it.
NON_FINITE_WORD = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)


def example_anatomy() -> StepAnatomy:
    """The next step of the 1-2-1 worked example (step 1, full batch of 4, η = 0.05)."""
    setup = example_setup()
    trainer = Trainer(setup.network.copy(), setup.X, setup.y, setup.learning_rate, setup.batch_size)
    return step_anatomy(trainer)


def example_report() -> str:
    anatomy = example_anatomy()
    chain = chain_rule(anatomy, ParameterRef(layer=1, row=0, column=1))
    return step_markdown(anatomy, chain, feature_names=("x",), target_names=("y",))


def table_rows(report: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith("|")]


# --- the worked example --------------------------------------------------------------------------


def test_report_title_and_settings() -> None:
    report = example_report()

    assert report.startswith("# Gradient-descent step 1\n")
    assert "- Epoch: 1" in report
    assert r"- Learning rate: $\eta = 0.05$" in report
    assert "- Batch size: 4 examples" in report


def test_report_network() -> None:
    report = example_report()

    assert "Layer sizes 1 → 2 → 1." in report
    assert r"| 1 | 2 | tanh, $f(z) = \tanh(z)$ |" in report
    assert "| 2 (output) | 1 | linear, $f(z) = z$ |" in report


def test_report_forward_pass() -> None:
    # Example 2 (x = 1): z1 = [0.1 + 0.05, -0.2 - 0.05] = [0.15, -0.25],
    # a1 = tanh(z1) = [0.1488850336, -0.2449186624],
    # z2 = 0.3 · 0.1488850336 + 0.4 · (-0.2449186624) + 0.1 = 0.04669804513.
    report = example_report()

    assert "| 2 | 2 | 0.15 | 0.1488850336 | -0.25 | -0.2449186624 |" in report
    assert "| 2 | 2 | 0.04669804513 | 0.04669804513 |" in report


def test_report_cost() -> None:
    # The losses (ŷ - y)² are 0.819..., 8.72..., 24.95..., 49.39...; their sum is 83.88321706
    # and their mean, the cost, 20.97080426.
    report = example_report()

    assert "20.97080426" in report
    assert r"C = \frac{1}{n}\sum_{i=1}^{n} (\hat y_i - y_i)^2 = \frac{1}{4}" in report
    assert r"0.8190174659 + 8.721992437 + 24.95286227 + 49.38934488" in report
    assert r"= \frac{83.88321706}{4} = 20.97080426$$" in report
    assert "| 4 | 4 | -0.02775532313 | 7 | -7.027755323 | 49.38934488 |" in report


def test_report_deltas() -> None:
    # δ2 = (2/4)(ŷ - y) · 1; for example 1: 0.5 · (-0.9049958375) = -0.4524979187.
    report = example_report()

    assert "carries the factor 1/n = 1/4" in report
    assert "| 1 | 1 | -0.4524979187 |" in report
    assert "| 1 | 1 | -0.135410567 | -0.1805474227 |" in report


@pytest.mark.parametrize(
    ("row"),
    [
        # Parameter, value before, ∂C/∂parameter, value after = before - 0.05 · gradient.
        "| `W1[0,0]` | 0.1 | -4.646526753 | 0.3323263376 |",
        "| `W1[1,0]` | -0.2 | -5.036304685 | 0.05181523427 |",
        "| `b1[0]` | 0.05 | -2.207818559 | 0.1603909279 |",
        "| `b1[1]` | -0.05 | -2.503210649 | 0.07516053247 |",
        "| `W2[0,0]` | 0.3 | -2.03615894 | 0.401807947 |",
        "| `W2[0,1]` | 0.4 | 3.446796443 | 0.2276601779 |",
        "| `b2[0]` | 0.1 | -7.940668559 | 0.497033428 |",
    ],
)
def test_report_gradient_rows(row: str) -> None:
    assert row in example_report()


def test_report_gradients_match_engine() -> None:
    anatomy = example_anatomy()
    report = step_markdown(anatomy, None)

    for l, grad in enumerate(anatomy.gradients.grad_weights):
        for (j, k), value in np.ndenumerate(grad):
            assert f"| `W{l + 1}[{j},{k}]` |" in report
            assert f" | {value:.10g} | " in report, f"W{l + 1}[{j},{k}]"
    for l, grad in enumerate(anatomy.gradients.grad_biases):
        for j, value in enumerate(grad):
            assert f" | {value:.10g} | " in report, f"b{l + 1}[{j}]"


def test_report_chain_rule_w2() -> None:
    # W2[0,1] multiplies a1[1]. For example 1: ∂L/∂ŷ = 2(ŷ - y) = -1.809991675, the linear
    # slope is 1, and a1[1] = tanh(-0.05) = -0.04995837496, so ∂L₁/∂w = 0.09042424277.
    # The mean of the four contributions is 13.78718577 / 4 = 3.446796443, and the update is
    # 0.4 - 0.05 · 3.446796443 = 0.2276601779.
    anatomy = example_anatomy()
    chain = chain_rule(anatomy, ParameterRef(layer=1, row=0, column=1))
    report = step_markdown(anatomy, chain)

    assert "## 5. The chain rule for `W2[0,1]`" in report
    assert "| 1 | 1 | -1.809991675 | 1 | -0.04995837496 | 0.09042424277 |" in report
    assert r"(-1.809991675) \cdot 1 \cdot (-0.04995837496) = 0.09042424277$$" in report
    assert r"= \frac{13.78718577}{4} = 3.446796443$$" in report
    assert r"w_{new} = w_{old} - \eta\,\frac{\partial C}{\partial w} = 0.4 - 0.05 \cdot 3.446796443" in report
    assert report.rstrip().endswith(f"= {chain.new_value:.10g}$$")
    assert f"{chain.new_value:.10g}" == "0.2276601779"


def test_report_chain_rule_hidden_bias() -> None:
    anatomy = example_anatomy()
    chain = chain_rule(anatomy, ParameterRef(layer=0, row=1))
    report = step_markdown(anatomy, chain)

    assert "## 5. The chain rule for `b1[1]`" in report
    assert r"$\partial z / \partial w = 1$ for a bias" in report
    assert "The factor n undoes the 1/n" in report
    assert report.rstrip().endswith(f"= {chain.new_value:.10g}$$")


def test_report_without_chain() -> None:
    report = step_markdown(example_anatomy(), None)

    assert "chain rule" not in report
    assert "## 4. Gradients and the update" in report


def test_report_no_non_finite_words() -> None:
    report = example_report()

    assert "nan" not in report.lower()
    assert NON_FINITE_WORD.search(report) is None
    assert "not finite" not in report


def test_report_no_negative_zero() -> None:
    # W1[1,0] multiplies x, which is 0 for example 1: the product must print as 0, not -0.
    anatomy = example_anatomy()
    report = step_markdown(anatomy, chain_rule(anatomy, ParameterRef(layer=0, row=1, column=0)))

    assert re.search(r"(?<![\d.])-0(?![.\d])", report) is None


# --- structure -----------------------------------------------------------------------------------


def test_report_tables_rectangular() -> None:
    # A "|" in a name must be escaped, or it would add a column.
    anatomy = example_anatomy()
    chain = chain_rule(anatomy, ParameterRef(layer=1, row=0, column=1))
    report = step_markdown(anatomy, chain, feature_names=("dose | mg",), target_names=("a|b",))
    lines = report.splitlines()

    for index, line in enumerate(lines):
        if line.startswith("|---"):
            width = line.count("|")
            header = lines[index - 1]
            assert len(re.findall(r"(?<!\\)\|", header)) == width, header
            for row in lines[index + 1 :]:
                if not row.startswith("|"):
                    break
                assert len(re.findall(r"(?<!\\)\|", row)) == width, row


def test_report_latex_balanced() -> None:
    report = example_report()

    assert report.count("$$") % 2 == 0
    assert report.count("{") == report.count("}")
    # A double subscript such as W^{(2)}_{0,1}_{new} is a LaTeX error.
    assert re.search(r"_\{[^{}]*\}_\{", report) is None


def test_report_names_escaped() -> None:
    anatomy = example_anatomy()
    report = step_markdown(anatomy, None, feature_names=("dose | mg",), target_names=("$effect*",))

    assert r"dose \| mg" in report
    assert r"\$effect\*" in report
    dose_rows = [line for line in table_rows(report) if "dose" in line]
    assert len(dose_rows) == 1


def test_report_default_names() -> None:
    report = step_markdown(example_anatomy(), None)

    assert "| i | data row | x |" in report
    assert "| i | data row | ŷ | y | ŷ − y | loss Lᵢ |" in report


# --- truncation ----------------------------------------------------------------------------------


def fifty_example_anatomy() -> StepAnatomy:
    setup = example_setup()
    X = np.linspace(0.0, 3.0, 50).reshape(-1, 1)
    trainer = Trainer(setup.network.copy(), X, 2.0 * X + 1.0, learning_rate=0.05)
    return step_anatomy(trainer)


def test_report_truncation_note() -> None:
    anatomy = fifty_example_anatomy()
    report = step_markdown(anatomy, chain_rule(anatomy, ParameterRef(1, 0, 0)), max_examples=20)

    assert "The table lists the first 20 of 50 examples" in report
    assert "uses all 50" in report
    assert "| 20 | 20 |" in report
    assert "| 21 | 21 |" not in report
    assert r"+ \dots" in report


def test_report_truncation_keeps_full_sums() -> None:
    anatomy = fifty_example_anatomy()
    report = step_markdown(anatomy, None, max_examples=20)

    total = float(np.sum(anatomy.losses))
    assert rf"= \frac{{{total:.10g}}}{{50}} = {anatomy.gradients.cost:.10g}$$" in report


def test_report_short_batch_no_note() -> None:
    assert "The table lists the first" not in example_report()


# --- several outputs and non-finite values -------------------------------------------------------


def test_report_two_outputs() -> None:
    # Each example's loss is the mean of its two squared differences.
    network = Network.from_parameters([[[1.0], [2.0]]], [[0.0, 0.0]], ["linear"])
    X = np.array([[1.0], [2.0]])
    y = np.array([[0.0, 0.0], [1.0, 1.0]])
    anatomy = step_anatomy(Trainer(network, X, y, learning_rate=0.1))
    report = step_markdown(anatomy, None, target_names=("left", "right"))

    # ŷ = [[1, 2], [2, 4]]: losses (1 + 4)/2 = 2.5 and (1 + 9)/2 = 5, so C = 3.75.
    assert r"L_i = \frac{1}{2}\sum_{j} (\hat y_{ij} - y_{ij})^2" in report
    assert "| 1 | 1 | 1 | 0 | 1 | 2 | 0 | 2 | 2.5 |" in report
    assert "ŷ[1] (right)" in report
    assert r"= \frac{7.5}{2} = 3.75$$" in report
    assert r"\frac{2}{2 \cdot 2}" in report


def test_report_non_finite_values() -> None:
    # 1e200 · 1e200 overflows, so z, the cost and the gradients are not finite.
    network = Network.from_parameters([[[1e200]]], [[0.0]], ["linear"])
    anatomy = step_anatomy(Trainer(network, [[1e200]], [[0.0]], learning_rate=0.1))
    chain = chain_rule(anatomy, ParameterRef(0, 0, 0))
    report = step_markdown(anatomy, chain)

    assert "not finite" in report
    assert r"$C = \text{not finite}$" in report
    assert NON_FINITE_WORD.search(report) is None


def test_report_exponent_as_power_of_ten() -> None:
    network = Network.from_parameters([[[1e-7]]], [[0.0]], ["linear"])
    anatomy = step_anatomy(Trainer(network, [[1.0]], [[0.0]], learning_rate=0.1))
    report = step_markdown(anatomy, None)

    assert r"C = 1 \times 10^{-14}" in report
    assert "| 1 | 1 | 1e-07 | 1e-07 |" in report


# --- bad arguments -------------------------------------------------------------------------------


def test_report_wrong_name_count() -> None:
    with pytest.raises(ValueError, match="feature_names must have one name per column: 1"):
        step_markdown(example_anatomy(), None, feature_names=("a", "b"))
    with pytest.raises(ValueError, match="target_names"):
        step_markdown(example_anatomy(), None, target_names=("a", "b"))
    with pytest.raises(ValueError, match="single string"):
        step_markdown(example_anatomy(), None, feature_names="x")


@pytest.mark.parametrize("max_examples", [0, -1, 2.5, True])
def test_report_bad_max_examples(max_examples: object) -> None:
    with pytest.raises(ValueError, match="max_examples must be a whole number"):
        step_markdown(example_anatomy(), None, max_examples=max_examples)  # type: ignore[arg-type]


def test_report_chain_from_other_step() -> None:
    setup = example_setup()
    trainer = Trainer(setup.network.copy(), setup.X, setup.y, setup.learning_rate)
    first = step_anatomy(trainer)
    trainer.step()
    second = step_anatomy(trainer)
    chain = chain_rule(first, ParameterRef(1, 0, 1))

    with pytest.raises(ValueError, match="another step"):
        step_markdown(second, chain)


def test_report_chain_from_other_network() -> None:
    other = fifty_example_anatomy()
    chain = chain_rule(other, ParameterRef(1, 0, 1))

    with pytest.raises(ValueError, match="does not fit"):
        step_markdown(example_anatomy(), chain)
