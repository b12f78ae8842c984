"""The "Inside a step" page: every number of the next gradient-descent step, and the chain rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from backprop_core import ACTIVATIONS
from backprop_core.config import (
    ConfigError,
    CustomSetup,
    example_setup,
    setup_from_json,
    setup_from_token,
    setup_to_json,
    setup_to_token,
)
from backprop_core.diagram import network_diagram_figure, parameter_name_from_point
from backprop_core.diagnostics import dead_unit_findings, diagnose, saturation_findings
from backprop_core.inspection import (
    FAULTS,
    ChainRule,
    StepAnatomy,
    chain_rule,
    fault_layer,
    gradient_check,
    parameter_refs,
    step_anatomy,
)
from backprop_core.network import Network
from backprop_core.report import step_markdown
from backprop_core.session import SettingsError, TrainingSession, parse_hidden_sizes
from lab_ui import current_lab, initialize_state, require_entry_point, show_figure, start_custom

MAX_TABLE_ROWS = 50
NO_FAULT = "none"

DEFAULTS = {
    "inside_show_gradients": False,
    "inside_view": "One example",
    "inside_example": 2,
    "inside_fault": NO_FAULT,
}


def number(value: float) -> str:
    """Format a number with enough digits to check by hand."""
    # Adding 0.0 turns −0.0 into 0.0, which reads better and is the same number.
    return f"{value + 0.0:.10g}" if np.isfinite(value) else "not finite"


def latex_number(value: float) -> str:
    text = number(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


# --- the session ---------------------------------------------------------------------------------


def current_setup(lab: TrainingSession) -> CustomSetup:
    """Return the session's data and current parameters as a setup to save or share."""
    return CustomSetup(
        network=lab.network.copy(),
        X=lab.trainer.X.copy(),
        y=lab.trainer.y.copy(),
        learning_rate=lab.trainer.learning_rate,
        batch_size=None if lab.trainer.batch_size == lab.trainer.X.shape[0] else lab.trainer.batch_size,
        feature_names=tuple(lab.dataset.feature_names),
        target_names=tuple(lab.dataset.target_names),
    )


def load_setup_from_link() -> None:
    """Start the setup in the URL's ``setup`` value once; show a note if it is invalid."""
    token = st.query_params.get("setup")
    if not token or st.session_state.get("inside_loaded_token") == token:
        return
    st.session_state.inside_loaded_token = token
    try:
        start_custom(setup_from_token(token))
    except (ConfigError, SettingsError) as error:
        st.warning(f"The link's network could not be loaded, so the page shows the current one. {error}")
        return
    st.success("Loaded the network and data from the link.")


# --- sections ------------------------------------------------------------------------------------


def example_rows(anatomy: StepAnatomy) -> list[int]:
    """Return the batch positions to show: one example, or the first rows of all of them."""
    n_batch = anatomy.X.shape[0]
    if st.session_state.inside_view == "One example":
        return [min(int(st.session_state.inside_example), n_batch) - 1]
    return list(range(min(n_batch, MAX_TABLE_ROWS)))


def batch_table(anatomy: StepAnatomy, columns: dict[str, np.ndarray], rows: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame({"example": [i + 1 for i in rows], "data row": anatomy.batch_indices[rows] + 1})
    for name, values in columns.items():
        frame[name] = values[rows]
    return frame.set_index("example")


def show_table(frame: pd.DataFrame) -> None:
    """Show a table with every number to 10 significant digits, as in the formulas."""
    st.dataframe(frame.style.format(number, subset=frame.select_dtypes("float").columns), width="stretch")


def forward_section(anatomy: StepAnatomy, lab: TrainingSession, rows: list[int]) -> None:
    st.subheader("1. Forward pass")
    units = " (standardised units)" if lab.settings.standardize else ""
    st.markdown(
        f"Each layer computes **z = a W^T + b** from the previous layer's activations, then "
        f"**a = f(z)**. The inputs a⁰ are the batch's x values{units}."
    )
    forward_tables(anatomy, lab, rows)
    n_batch = anatomy.X.shape[0]
    if st.session_state.inside_view == "One example" and n_batch > 1:
        with st.expander(f"The forward pass of every example in the batch ({n_batch})"):
            forward_tables(anatomy, lab, list(range(min(n_batch, MAX_TABLE_ROWS))))
    elif len(rows) < n_batch:
        st.caption(f"The tables show the first {len(rows)} of {n_batch} examples.")


def forward_tables(anatomy: StepAnatomy, lab: TrainingSession, rows: list[int]) -> None:
    names = lab.dataset.feature_names
    show_table(batch_table(anatomy, {f"x: {name}": anatomy.X[:, k] for k, name in enumerate(names)}, rows))
    for l, (z, a) in enumerate(zip(anatomy.forward.z, anatomy.forward.a[1:]), start=1):
        activation = anatomy.network.activations[l - 1]
        st.markdown(f"**Layer {l}** ({activation})")
        columns: dict[str, np.ndarray] = {}
        for j in range(z.shape[1]):
            columns[f"z{l}[{j}]"] = z[:, j]
            columns[f"a{l}[{j}]"] = a[:, j]
        show_table(batch_table(anatomy, columns, rows))


def cost_section(anatomy: StepAnatomy, rows: list[int]) -> None:
    st.subheader("2. Cost")
    n_batch = anatomy.X.shape[0]
    st.latex(r"C = \frac{1}{n} \sum_{i=1}^{n} \left(\hat{y}_i - y_i\right)^2")
    residual = anatomy.forward.output - anatomy.y
    columns = {"ŷ (predicted)": anatomy.forward.output[:, 0], "y (expected)": anatomy.y[:, 0],
               "ŷ − y": residual[:, 0], "loss (ŷ − y)²": anatomy.losses}
    if anatomy.y.shape[1] > 1:
        st.caption("With several outputs, each example's loss is the mean of its squared differences.")
    show_table(batch_table(anatomy, columns, list(range(min(n_batch, MAX_TABLE_ROWS)))))
    terms = " + ".join(latex_number(loss) for loss in anatomy.losses[:6])
    if n_batch > 6:
        terms += r" + \dots"
    st.latex(
        rf"C = \frac{{1}}{{{n_batch}}} \left( {terms} \right) = {latex_number(anatomy.gradients.cost)}"
    )


def backward_section(anatomy: StepAnatomy, rows: list[int]) -> None:
    st.subheader("3. Backward pass")
    st.markdown(
        "Backpropagation starts at the output with ∂C/∂ŷ = 2(ŷ − y)/n and works back layer by "
        "layer. Each layer's **delta** is δ = ∂C/∂z = (∂C/∂a) ⊙ f′(z); the previous layer "
        "gets ∂C/∂a = δ W. Each delta carries the 1/n of the mean, so the gradients below are "
        "sums over the batch."
    )
    st.latex(
        r"\delta^{L} = \frac{\partial C}{\partial \hat{y}} \odot f'(z^{L}), \qquad "
        r"\delta^{l} = \left(\delta^{l+1} W^{l+1}\right) \odot f'(z^{l}), \qquad "
        r"\frac{\partial C}{\partial W^{l}} = (\delta^{l})^{T} a^{l-1}"
    )
    for l, delta in enumerate(anatomy.gradients.deltas, start=1):
        st.markdown(f"**Layer {l}**")
        show_table(batch_table(anatomy, {f"δ{l}[{j}]": delta[:, j] for j in range(delta.shape[1])}, rows))


def chain_rule_latex(chain: ChainRule, example: int, output_layer: bool) -> None:
    name = chain.parameter.name
    i = example
    upstream_formula = (
        r"2(\hat{y}_i - y_i)" if output_layer else r"\textstyle\sum_m W_{mj}\,\delta_m \cdot n"
    )
    input_formula = "1" if chain.parameter.is_bias else r"a_{ik}"
    st.latex(
        rf"\frac{{\partial L_{{{i + 1}}}}}{{\partial {latex_name(name)}}}"
        rf" = \underbrace{{{latex_number(chain.upstream[i])}}}_{{\partial L / \partial a \,=\, {upstream_formula}}}"
        rf" \times \underbrace{{{latex_number(chain.activation_slope[i])}}}_{{\partial a / \partial z \,=\, f'(z)}}"
        rf" \times \underbrace{{{latex_number(chain.input_value[i])}}}_{{\partial z / \partial {latex_name(name)} \,=\, {input_formula}}}"
        rf" = {latex_number(chain.contributions[i])}"
    )


def latex_name(name: str, superscript: str = "") -> str:
    """W2[0,1] → W^{2}_{0,1}; b1[0] → b^{1}_{0}. ``superscript`` is added after the layer."""
    letter, rest = name[0], name[1:]
    layer, index = rest.split("[")
    if superscript:
        layer = rf"{layer},\,{superscript}"
    return rf"{letter}^{{{layer}}}_{{{index.rstrip(']')}}}"


def parameter_section(anatomy: StepAnatomy, lab: TrainingSession, names: list[str]) -> ChainRule:
    st.subheader("4. One parameter in detail")
    st.selectbox(
        "Parameter (or click a weight or a neuron in the diagram)", names, key="inside_parameter"
    )
    refs = {ref.name: ref for ref in parameter_refs(anatomy.network)}
    parameter = refs[st.session_state.inside_parameter]
    chain = chain_rule(anatomy, parameter)

    st.toggle("Draw the gradients on the edges instead of the weights", key="inside_show_gradients")
    figure = network_diagram_figure(
        marked_units=marked_units(anatomy),
        weights=anatomy.network.weights,
        biases=anatomy.network.biases,
        activations=anatomy.network.activations,
        grad_weights=anatomy.gradients.grad_weights,
        grad_biases=anatomy.gradients.grad_biases,
        show="gradients" if st.session_state.inside_show_gradients else "weights",
        selected=parameter.name,
        feature_names=lab.dataset.feature_names,
        target_names=lab.dataset.target_names,
    )
    st.plotly_chart(
        figure,
        key="inside_diagram",
        width="stretch",
        on_select=_on_diagram_select,
        selection_mode="points",
        config={"displaylogo": False, "toImageButtonOptions": {"filename": "backprop-lab-network", "width": 1600, "height": 900}},
    )

    output_layer = parameter.layer == len(anatomy.network.weights) - 1
    n_batch = anatomy.X.shape[0]
    example = min(int(st.session_state.inside_example), n_batch) - 1
    st.markdown(
        f"**The chain rule for {parameter.name}**, for example {example + 1} of the batch. "
        "Lᵢ is that example's loss, a and z belong to the neuron the parameter feeds."
    )
    chain_rule_latex(chain, example, output_layer)

    st.markdown("**Every example's contribution**, then their mean, the batch gradient:")
    rows = list(range(min(n_batch, MAX_TABLE_ROWS)))
    show_table(
        batch_table(
            anatomy,
            {
                "∂Lᵢ/∂a": chain.upstream,
                "∂a/∂z": chain.activation_slope,
                f"∂z/∂{parameter.name}": chain.input_value,
                f"∂Lᵢ/∂{parameter.name}": chain.contributions,
            },
            rows,
        )
    )
    st.latex(
        rf"\frac{{\partial C}}{{\partial {latex_name(parameter.name)}}}"
        rf" = \frac{{1}}{{{n_batch}}} \sum_{{i=1}}^{{{n_batch}}} \frac{{\partial L_i}}{{\partial {latex_name(parameter.name)}}}"
        rf" = {latex_number(chain.gradient)}"
    )
    st.markdown("**The update**, which the next Step makes:")
    new_name = latex_name(parameter.name, superscript=r"\text{new}")
    st.latex(
        rf"{new_name} = {latex_number(chain.value)}"
        rf" - {latex_number(chain.learning_rate)} \times ({latex_number(chain.gradient)})"
        rf" = {latex_number(chain.new_value)}"
    )
    return chain


def marked_units(anatomy: StepAnatomy) -> dict[tuple[int, int], str]:
    """Dead and saturated units of this step's network, keyed by (layer from 1, unit)."""
    marks: dict[tuple[int, int], str] = {}
    findings = dead_unit_findings(anatomy.network, anatomy.X) + saturation_findings(anatomy.network, anatomy.X)
    for finding in findings:
        label = "dead ReLU" if finding.kind == "dead_units" else "saturated"
        for unit in finding.units:
            marks[(finding.layer, unit)] = label
    return marks


def health_section(anatomy: StepAnatomy, lab: TrainingSession) -> None:
    """Show the training-health findings for this step's network and batch, if any."""
    findings = diagnose(
        anatomy.network,
        anatomy.X,
        anatomy.y,
        standardized=lab.settings.standardize,
        gradients=anatomy.gradients,
        cost=anatomy.gradients.cost,
    )
    for finding in findings:
        (st.warning if finding.severity == "warning" else st.info)(finding.message)


def _on_diagram_select() -> None:
    event = st.session_state.get("inside_diagram")
    points = (event or {}).get("selection", {}).get("points", [])
    for point in points:
        name = parameter_name_from_point(point)
        if name:
            st.session_state.inside_parameter = name
            return


def gradient_check_section(anatomy: StepAnatomy) -> None:
    st.subheader("5. Gradient check")
    st.markdown(
        "Central differences estimate each partial derivative without the chain rule: nudge one "
        "parameter by ±h and see how the cost moves. Backpropagation passes when the two agree."
    )
    st.latex(
        r"\frac{\partial C}{\partial \theta} \approx \frac{C(\theta + h) - C(\theta - h)}{2h},"
        r"\quad h = 10^{-6}, \qquad \text{relative difference} = "
        r"\frac{\lVert g_{\text{backprop}} - g_{\text{numeric}} \rVert}{\lVert g_{\text{backprop}} \rVert + \lVert g_{\text{numeric}} \rVert}"
    )
    st.selectbox(
        "Plant a known fault in the backward pass (for teaching)",
        [NO_FAULT, *FAULTS],
        format_func=lambda key: "No fault: the real backpropagation" if key == NO_FAULT else FAULTS[key],
        key="inside_fault",
        help="The fault changes only this check, never the training.",
    )
    fault = None if st.session_state.inside_fault == NO_FAULT else st.session_state.inside_fault
    if fault == "forget_derivative":
        layer = fault_layer(anatomy.network)
        if layer is None:
            st.info(
                "Every activation of this network is linear, whose derivative is 1, so forgetting "
                "it changes nothing and the check will pass. Try a network with tanh or sigmoid."
            )
        else:
            st.caption(f"The fault leaves out f′(z) of layer {layer + 1}.")

    n_work = anatomy.network.n_parameters * anatomy.X.shape[0]
    if st.button("Run the gradient check", key="inside_run_check"):
        with st.spinner(f"Computing {2 * anatomy.network.n_parameters:,} costs…"):
            st.session_state.inside_check = (
                check_key(anatomy, fault),
                gradient_check(anatomy.network, anatomy.X, anatomy.y, fault),
            )
    elif n_work > 2_000_000:
        st.caption("This network and batch are large, so the check may take several seconds.")

    stored = st.session_state.get("inside_check")
    if stored is None or stored[0] != check_key(anatomy, fault):
        return
    check = stored[1]
    verdict = f"relative difference {check.relative_difference:.3g} (pass below {check.threshold:g})"
    if check.passed:
        st.success(f"Pass: backpropagation agrees with central differences, {verdict}.")
    else:
        st.error(f"Fail: backpropagation disagrees with central differences, {verdict}.")
    if check.near_kink:
        st.caption(
            "Some ReLU unit has z within h of 0, where its derivative is not defined; a "
            "difference for the parameters feeding it is expected there."
        )
    st.dataframe(
        pd.DataFrame(
            {
                "parameter": check.names,
                "backprop": check.analytic,
                "central difference": check.numeric,
                "relative difference": check.relative_differences,
            }
        ).set_index("parameter"),
        width="stretch",
    )


def check_key(anatomy: StepAnatomy, fault: str | None) -> tuple:
    """Return what a stored check result belongs to: the step, the fault and the exact parameters."""
    return (anatomy.step, fault, anatomy.network.parameters_vector().tobytes(), anatomy.batch_indices.tobytes())


# --- your own network and data -------------------------------------------------------------------


def own_network_section(lab: TrainingSession, anatomy: StepAnatomy, chain: ChainRule) -> None:
    st.subheader("6. Your own network and data")
    st.markdown(
        "Type in the weights, biases and data of a worked example and step through it. The tables "
        "start from the current network. Apply them to restart training from these numbers, in "
        "the data's own units (no standardisation)."
    )
    if st.button("Load the 1-2-1 worked example (x = 0…3, y = 2x + 1)", key="inside_load_example"):
        start_custom(example_setup())
        st.rerun()

    try:
        setup = current_setup(lab)
    except ConfigError as error:
        st.info(
            f"The tables, the setup file and the link work for small networks and data only: {error} "
            "Load the worked example or pick a smaller dataset on the Train page to use them."
        )
        markdown_download(lab, anatomy, chain)
        return
    layout_text = st.text_input(
        "Layer sizes, input to output",
        value=", ".join(str(size) for size in setup.network.layer_sizes),
        key=f"inside_layout_{id(lab)}",
        help="For example 1, 2, 1. Changing it starts the tables from zeros.",
    )
    activation_text = st.text_input(
        "Activations of the layers after the input",
        value=", ".join(setup.network.activations),
        key=f"inside_activations_{id(lab)}",
        help=f"One per layer after the input, from: {', '.join(ACTIVATIONS)}.",
    )
    try:
        layer_sizes, activations = parse_layout(layout_text, activation_text)
    except SettingsError as error:
        st.error(str(error))
        return

    same_layout = tuple(layer_sizes) == setup.network.layer_sizes
    edited_weights, edited_biases = [], []
    for l, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        w = setup.network.weights[l] if same_layout else np.zeros((n_out, n_in))
        b = setup.network.biases[l] if same_layout else np.zeros(n_out)
        st.markdown(f"**Layer {l + 1}**: W{l + 1} has one row per neuron of layer {l + 1} and one column per input.")
        weight_frame = st.data_editor(
            pd.DataFrame(w, index=[f"to {j}" for j in range(n_out)], columns=[f"from {k}" for k in range(n_in)]),
            key=f"inside_w{l}_{id(lab)}_{layout_text}",
        )
        bias_frame = st.data_editor(
            pd.DataFrame({f"b{l + 1}": b}, index=[f"to {j}" for j in range(n_out)]),
            key=f"inside_b{l}_{id(lab)}_{layout_text}",
        )
        edited_weights.append(weight_frame.to_numpy(dtype=float, na_value=np.nan))
        edited_biases.append(bias_frame.to_numpy(dtype=float, na_value=np.nan)[:, 0])

    st.markdown("**Data** (add or delete rows at the bottom of the table)")
    n_in, n_out = layer_sizes[0], layer_sizes[-1]
    data_columns = [f"x{k + 1}" for k in range(n_in)] + [f"y{j + 1}" if n_out > 1 else "y" for j in range(n_out)]
    if same_layout:
        data = np.hstack([setup.X, setup.y])
    else:
        data = np.zeros((4, n_in + n_out))
    data_frame = st.data_editor(
        pd.DataFrame(data, columns=data_columns),
        num_rows="dynamic",
        key=f"inside_data_{id(lab)}_{layout_text}",
    )

    if st.button("Apply: train this network on this data", key="inside_apply", type="primary"):
        try:
            numbers = data_frame.to_numpy(dtype=float, na_value=np.nan)
            network = Network.from_parameters(edited_weights, edited_biases, activations)
            if numbers.shape[0] < 1 or not np.all(np.isfinite(numbers)):
                raise SettingsError("Every data cell needs a number, and the data needs at least one row.")
            custom = CustomSetup(
                network=network,
                X=numbers[:, :n_in],
                y=numbers[:, n_in:],
                learning_rate=lab.trainer.learning_rate,
                batch_size=None,
                feature_names=tuple(data_columns[:n_in]),
                target_names=tuple(data_columns[n_in:]),
            )
            # A round trip through the file format applies the same checks as a loaded file.
            start_custom(setup_from_json(setup_to_json(custom)))
        except (ValueError, SettingsError, ConfigError) as error:
            st.error(f"Could not apply the tables: {error} Fix the cells and press Apply again.")
        else:
            st.rerun()

    files_section(lab, anatomy, chain)


def parse_layout(layout_text: str, activation_text: str) -> tuple[list[int], list[str]]:
    parts = layout_text.replace(",", " ").split()
    if len(parts) < 2:
        raise SettingsError("Layer sizes need at least an input and an output size, such as 1, 2, 1.")
    for label, part in (("input", parts[0]), ("output", parts[-1])):
        if not part.isdigit() or not 1 <= int(part) <= 8:
            raise SettingsError(f"The {label} size must be a whole number from 1 to 8, got “{part[:20]}”.")
    hidden = parse_hidden_sizes(" ".join(parts[1:-1]))
    sizes = [int(parts[0]), *hidden, int(parts[-1])]
    activations = [name.strip() for name in activation_text.replace(",", " ").split()]
    if len(activations) != len(sizes) - 1:
        raise SettingsError(
            f"Give one activation for each of the {len(sizes) - 1} layers after the input, "
            f"got {len(activations)}."
        )
    unknown = [name for name in activations if name not in ACTIVATIONS]
    if unknown:
        raise SettingsError(f"Unknown activation “{unknown[0][:20]}”; choose from {', '.join(ACTIVATIONS)}.")
    return sizes, activations


def markdown_download(lab: TrainingSession, anatomy: StepAnatomy, chain: ChainRule) -> None:
    st.download_button(
        "Download this step's calculation (Markdown)",
        step_markdown(
            anatomy,
            chain,
            feature_names=lab.dataset.feature_names,
            target_names=lab.dataset.target_names,
        ),
        file_name=f"backprop-lab-step-{anatomy.step}.md",
        mime="text/markdown",
        key="inside_download_report",
    )


def files_section(lab: TrainingSession, anatomy: StepAnatomy, chain: ChainRule) -> None:
    st.markdown("**Save, load and share**")
    setup = current_setup(lab)
    save_col, report_col = st.columns(2)
    try:
        setup_json, token = setup_to_json(setup), setup_to_token(setup)
    except ConfigError as error:
        save_col.info(f"This setup is too large to save or share: {error}")
        setup_json = token = None
    if setup_json is not None:
        save_col.download_button(
            "Download this network and data (JSON)",
            setup_json,
            file_name="backprop-lab-setup.json",
            mime="application/json",
            key="inside_download_setup",
        )
    with report_col:
        markdown_download(lab, anatomy, chain)
    # Setup files hold at most 100 KB; 1 MB is the smallest limit the uploader can show.
    upload = st.file_uploader(
        "Load a setup file (JSON)", type=["json"], key="inside_setup_upload", max_upload_size=1
    )
    if upload is not None and st.session_state.get("inside_loaded_file") != upload.file_id:
        st.session_state.inside_loaded_file = upload.file_id
        try:
            start_custom(setup_from_json(upload.getvalue()))
        except (ConfigError, SettingsError) as error:
            st.error(f"{upload.name}: {error}")
        else:
            st.rerun()
    if token is not None:
        st.markdown("A link that opens this page with this network and data (add it to the app's address):")
        st.code(f"/inside?setup={token}", language=None, wrap_lines=True)


# --- page ----------------------------------------------------------------------------------------


def _on_step() -> None:
    st.session_state.lab.step()
    st.session_state.pop("inside_step", None)


def main() -> None:
    require_entry_point("inside")
    initialize_state(DEFAULTS)
    st.title("Inside a step")
    st.caption(
        "Every number of one gradient-descent step: the forward pass, the cost, the backward pass "
        "and one parameter's chain rule. These are exactly the numbers the next Step will use."
    )
    load_setup_from_link()
    lab = current_lab()
    trainer = lab.trainer

    # Which step to show: the next one, or a recent past one kept for rewinding.
    next_step = trainer.step_count + 1
    options = [*trainer.recent_steps.steps, next_step]
    if st.session_state.get("inside_step") not in options:
        st.session_state.inside_step = next_step
    top = st.columns([3, 1])
    with top[0]:
        st.select_slider(
            "Step to look at",
            options,
            key="inside_step",
            format_func=lambda step: f"{step} (next)" if step == next_step else str(step),
            help=f"Rewinding reaches back {trainer.recent_steps.capacity} steps: for each, the "
            "parameters before it and its batch are kept exactly. Older steps appear only in the "
            "Train page's charts.",
        )
    with top[1]:
        st.button("Step", key="inside_step_button", on_click=_on_step, disabled=trainer.stopped, type="primary", width="stretch")
    if trainer.divergence is not None:
        st.error(trainer.divergence.message())

    anatomy = step_anatomy(trainer, st.session_state.inside_step)
    past = anatomy.step != next_step
    metrics = st.columns(4)
    metrics[0].metric("Step", f"{anatomy.step:,}" + (" (past)" if past else " (next)"))
    metrics[1].metric("Epoch", f"{anatomy.epoch:,}")
    metrics[2].metric("Batch size", f"{anatomy.X.shape[0]:,}")
    metrics[3].metric("Learning rate η", f"{anatomy.learning_rate:g}")
    if past:
        st.info(f"You are looking at step {anatomy.step}, which has already been taken. Move the slider to the end for the next step.")
    if lab.is_custom:
        st.caption("Training your own network and data, in their own units.")

    view_col, example_col = st.columns(2)
    view_col.radio("Show", ["One example", "All examples"], key="inside_view", horizontal=True)
    n_batch = anatomy.X.shape[0]
    if st.session_state.inside_example > n_batch:
        st.session_state.inside_example = 1
    example_col.number_input("Example in the batch", min_value=1, max_value=n_batch, step=1, key="inside_example")

    names = anatomy.network.parameter_names()
    if st.session_state.get("inside_parameter") not in names:
        st.session_state.inside_parameter = names[0]

    rows = example_rows(anatomy)
    health_section(anatomy, lab)
    forward_section(anatomy, lab, rows)
    cost_section(anatomy, rows)
    backward_section(anatomy, rows)
    chain = parameter_section(anatomy, lab, names)
    gradient_check_section(anatomy)
    own_network_section(lab, anatomy, chain)


main()
