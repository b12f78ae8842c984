"""The Cost landscape page: the cost over one or two parameters of the network being trained."""

from __future__ import annotations

import numpy as np
import streamlit as st

from backprop_core.inspection import ParameterRef, parameter_refs
from backprop_core.landscape import cost_grid, cost_slice, flat_gradient, slice_range, train_two_parameters
from backprop_core.landscape_charts import contour_figure, slice_figure
from lab_ui import current_lab, initialize_state, require_entry_point, show_figure

SLICE_POINTS = 201
GRID_POINTS = 45
MAX_STEPS_PER_CLICK = 10_000
MAX_PREVIEW_STEPS = 2_000

DEFAULTS = {"landscape_steps": 10, "landscape_two_only": False, "landscape_preview_steps": 50}


def _on_step() -> None:
    st.session_state.lab.step()


def _on_step_many() -> None:
    st.session_state.lab.run(int(st.session_state.landscape_steps))


def step_controls(lab) -> None:
    trainer = lab.trainer
    columns = st.columns([1, 1.2, 1.2, 3])
    columns[0].button("Step", key="landscape_step", on_click=_on_step, disabled=trainer.stopped, width="stretch")
    n_steps = int(st.session_state.landscape_steps)
    valid = 1 <= n_steps <= MAX_STEPS_PER_CLICK
    columns[1].button(
        f"Step ×{n_steps:,}" if valid else "Step ×N",
        key="landscape_step_many",
        on_click=_on_step_many,
        disabled=trainer.stopped or not valid,
        width="stretch",
    )
    columns[2].number_input("Steps per click", step=10, key="landscape_steps", label_visibility="collapsed")
    columns[3].markdown(
        f"Step **{trainer.step_count:,}** · cost on all the data **{trainer.cost():.6g}** · "
        f"learning rate η **{trainer.learning_rate:g}**"
    )
    if not valid:
        st.error(f"Step ×N makes 1 to {MAX_STEPS_PER_CLICK:,} steps at a time, got {n_steps:,}.")
    if trainer.divergence is not None:
        st.error(trainer.divergence.message())


def one_parameter_section(lab, refs: dict[str, ParameterRef], gradient: np.ndarray) -> None:
    st.subheader("One parameter")
    st.markdown(
        "The cost as one parameter moves while every other stays where it is now. The tangent's "
        "slope is the gradient from backpropagation; one step moves the parameter against it, by "
        "η times the slope."
    )
    names = list(refs)
    if st.session_state.get("landscape_parameter") not in names:
        st.session_state.landscape_parameter = names[0]
    name = st.selectbox("Parameter", names, key="landscape_parameter")
    ref = refs[name]
    network, trainer = lab.network, lab.trainer
    X, y = trainer.X, trainer.y
    index = names.index(name)
    current = ref.value(network)
    slope = float(gradient[index])
    rate = trainer.learning_rate
    landing = current - rate * slope

    low, high = slice_range(current, slope, rate)
    values = np.linspace(low, high, SLICE_POINTS)
    costs = cost_slice(network, X, y, ref, values)
    current_cost, landing_cost = cost_slice(network, X, y, ref, np.array([current, landing]))
    figure = slice_figure(
        values,
        costs,
        parameter_name=name,
        current_value=current,
        current_cost=float(current_cost),
        gradient=slope,
        learning_rate=rate,
        landing_value=landing,
        landing_cost=float(landing_cost),
    )
    show_figure(figure, key="landscape_slice", filename=f"backprop-lab-slice-{name}")
    st.markdown(
        f"∂C/∂{name} = **{slope:.6g}**, so one step at η = {rate:g} moves {name} from "
        f"{current:.6g} to {current:.6g} − {rate:g} × ({slope:.6g}) = **{landing:.6g}**, where "
        f"the cost along this line is {float(landing_cost):.6g}."
    )
    if lab.trainer.batch_size < X.shape[0]:
        st.caption(
            "Training uses mini-batches, so each step follows one batch's gradient; the curve and "
            "slope here are for all the data."
        )


def two_parameter_section(lab, refs: dict[str, ParameterRef], gradient: np.ndarray) -> None:
    st.subheader("Two parameters")
    names = list(refs)
    if len(names) < 2:
        st.info("This network has only one parameter.")
        return
    for key, default in (("landscape_first", names[0]), ("landscape_second", names[min(1, len(names) - 1)])):
        if st.session_state.get(key) not in names:
            st.session_state[key] = default
    first_col, second_col = st.columns(2)
    first_name = first_col.selectbox("Parameter on the x axis", names, key="landscape_first")
    second_name = second_col.selectbox("Parameter on the y axis", names, key="landscape_second")
    if first_name == second_name:
        st.error("Pick two different parameters to draw a contour.")
        return
    first, second = refs[first_name], refs[second_name]
    network, trainer = lab.network, lab.trainer
    X, y = trainer.X, trainer.y

    # The path training took: the two parameters in the kept snapshots, then now.
    steps, values = lab.parameter_series()
    path = values[:, [names.index(first_name), names.index(second_name)]]
    st.toggle(
        "Train only these two parameters (a preview that leaves the Train page's network alone)",
        key="landscape_two_only",
    )
    if st.session_state.landscape_two_only:
        st.number_input("Preview steps", step=10, key="landscape_preview_steps")
        n_preview = int(st.session_state.landscape_preview_steps)
        if not 1 <= n_preview <= MAX_PREVIEW_STEPS:
            st.error(f"The preview makes 1 to {MAX_PREVIEW_STEPS:,} steps, got {n_preview:,}.")
            return
        path = train_two_parameters(network, X, y, first, second, trainer.learning_rate, n_preview)
        st.caption(
            f"The path is {len(path) - 1} full-batch steps at η = {trainer.learning_rate:g} from the "
            "current point with every other parameter frozen, so it lies exactly on the surface drawn."
        )
    else:
        st.caption(
            "The other parameters also moved during training, so the path below does not lie "
            "exactly on this surface: the contour is drawn at the other parameters' current values."
        )

    current = np.array([first.value(network), second.value(network)])
    finite_path = path[np.all(np.isfinite(path), axis=1)]
    low = np.minimum(finite_path.min(axis=0), current)
    high = np.maximum(finite_path.max(axis=0), current)
    span = np.maximum(high - low, 1.0)
    low, high = low - 0.25 * span, high + 0.25 * span
    first_values = np.linspace(low[0], high[0], GRID_POINTS)
    second_values = np.linspace(low[1], high[1], GRID_POINTS)
    grid = cost_grid(network, X, y, first, second, first_values, second_values)
    figure = contour_figure(
        first_values,
        second_values,
        grid,
        first_name=first_name,
        second_name=second_name,
        current=current,
        gradient=np.array([gradient[names.index(first_name)], gradient[names.index(second_name)]]),
        path=finite_path,
        # Equal units on both axes make the plot square, so it needs more height than width.
        height=560,
    )
    show_figure(figure, key="landscape_contour", filename=f"backprop-lab-contour-{first_name}-{second_name}")


def main() -> None:
    require_entry_point("landscape")
    initialize_state(DEFAULTS)
    st.title("Cost landscape")
    st.caption(
        "The cost of the network on the Train page, drawn over its own parameters. Step here or on "
        "the Train page: both train the same network."
    )
    lab = current_lab()
    step_controls(lab)
    refs = {ref.name: ref for ref in parameter_refs(lab.network)}
    gradient = flat_gradient(lab.network, lab.trainer.X, lab.trainer.y)
    one_parameter_section(lab, refs, gradient)
    two_parameter_section(lab, refs, gradient)


main()
