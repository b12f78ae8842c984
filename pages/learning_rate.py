"""The Learning-rate lab: the same network trained at several learning rates, side by side."""

from __future__ import annotations

import numpy as np
import streamlit as st

from backprop_core.landscape import (
    classify_regimes,
    compare_learning_rates,
    largest_eigenvalue,
    sweep_learning_rates,
)
from backprop_core.landscape_charts import comparison_figure, fits_figure, sweep_figure
from lab_ui import current_lab, initialize_state, require_entry_point, show_figure

MIN_RATES, MAX_RATES = 3, 6
MAX_COMPARE_STEPS = 5_000
MAX_SWEEP_STEPS = 1_000
SWEEP_POINTS = 21

DEFAULTS = {
    "lr_lab_rates": "0.01, 0.05, 0.2, 0.5",
    "lr_lab_steps": 200,
    "lr_lab_log": True,
    "lr_lab_sweep_steps": 100,
    "lr_lab_sweep_low": 1e-4,
    "lr_lab_sweep_high": 10.0,
}


def parse_rates(text: str) -> list[float]:
    """Read 3 to 6 positive learning rates separated by commas or spaces; raise ValueError."""
    rates = []
    for token in text.replace(",", " ").split():
        try:
            rate = float(token)
        except ValueError:
            raise ValueError(f"“{token[:20]}” is not a number. Type rates such as 0.01, 0.1, 1.") from None
        if not np.isfinite(rate) or rate <= 0:
            raise ValueError(f"Every learning rate must be greater than 0, got {token[:20]}.")
        rates.append(rate)
    if not MIN_RATES <= len(rates) <= MAX_RATES:
        raise ValueError(f"Type {MIN_RATES} to {MAX_RATES} learning rates, got {len(rates)}.")
    return rates


def stability_section(lab) -> None:
    st.subheader("The largest stable learning rate")
    trainer = lab.trainer
    with st.spinner("Estimating the curvature of the cost…"):
        eigenvalue = largest_eigenvalue(lab.network, trainer.X, trainer.y)
    if eigenvalue <= 0:
        st.info(
            "The cost curves downwards or is flat in every direction here, so this estimate gives "
            "no upper limit for the learning rate at the current point."
        )
        return
    limit = 2.0 / eigenvalue
    left, right = st.columns(2)
    left.metric("Largest Hessian eigenvalue λ", f"{eigenvalue:.6g}")
    right.metric("Stable learning rates, full batch", f"η < {limit:.6g}")
    st.markdown(
        "Along the direction where the cost curves most sharply, a full-batch step multiplies "
        "the distance to the valley floor by |1 − η λ|, so steps shrink it only while "
        f"η < 2 / λ = {limit:.6g}; above that, each step overshoots further than the last."
    )
    st.caption(
        "λ is computed at the network's current parameters: from the full Hessian for networks of "
        "up to 50 parameters, by power iteration on Hessian-vector products above that. λ changes "
        "as training moves, so the comparison below, which starts from the initial weights, can "
        "stay stable at rates above this limit."
    )


def comparison_section(lab) -> None:
    st.subheader("Compare learning rates")
    st.markdown(
        "Each rate trains its own copy of the network from the same initial weights, on the same "
        "data, in the same batch order. Only η differs."
    )
    rates_col, steps_col = st.columns([2, 1])
    rates_col.text_input("Learning rates (3 to 6)", key="lr_lab_rates")
    steps_col.number_input("Steps", step=50, key="lr_lab_steps")
    try:
        rates = parse_rates(st.session_state.lr_lab_rates)
    except ValueError as error:
        st.error(str(error))
        return
    n_steps = int(st.session_state.lr_lab_steps)
    if not 1 <= n_steps <= MAX_COMPARE_STEPS:
        st.error(f"Compare 1 to {MAX_COMPARE_STEPS:,} steps, got {n_steps:,}.")
        return

    trainer = lab.trainer
    with st.spinner("Training one copy per learning rate…"):
        runs = compare_learning_rates(
            lab.initial_network, trainer.X, trainer.y, rates, n_steps,
            batch_size=trainer.batch_size, seed=lab.settings.seed, shuffle=trainer.shuffle,
        )
    st.checkbox("Log scale", key="lr_lab_log")
    run_dicts = []
    for run in runs:
        curve_y = None
        if run.diverged_at is None and lab.dataset.X.shape[1] == 1:
            grid = lab.fit_curve()[0]
            scaled = run.network.predict(lab.x_scaler.transform(grid.reshape(-1, 1)))
            curve_y = lab.y_scaler.inverse_transform(scaled)[:, 0]
        run_dicts.append(
            {
                "learning_rate": run.learning_rate,
                "steps": np.arange(run.costs.size),
                "costs": run.costs,
                "diverged_at": run.diverged_at,
                "curve_y": curve_y,
            }
        )
    show_figure(comparison_figure(run_dicts, log_scale=st.session_state.lr_lab_log), key="lr_lab_costs", filename="backprop-lab-learning-rates")
    for run in runs:
        if run.divergence is not None:
            st.caption(
                f"η = {run.learning_rate:g} diverged after step {run.divergence.step}: its steps "
                "overshot the minimum further each time, so that copy stopped there."
            )
    if lab.dataset.X.shape[1] == 1:
        figure = fits_figure(
            run_dicts, x=lab.dataset.X[:, 0], y_expected=lab.dataset.y[:, 0], curve_x=lab.fit_curve()[0]
        )
        show_figure(figure, key="lr_lab_fits", filename="backprop-lab-learning-rate-fits")


def sweep_section(lab) -> None:
    st.subheader("Sweep")
    st.markdown(
        f"The cost after k steps for {SWEEP_POINTS} learning rates spaced evenly on a log scale. "
        "Too small a rate creeps, a good one gets far, too large a one overshoots or diverges."
    )
    low_col, high_col, steps_col = st.columns(3)
    low_col.number_input("Smallest rate", format="%g", key="lr_lab_sweep_low")
    high_col.number_input("Largest rate", format="%g", key="lr_lab_sweep_high")
    steps_col.number_input("Steps k", step=10, key="lr_lab_sweep_steps")
    low, high = st.session_state.lr_lab_sweep_low, st.session_state.lr_lab_sweep_high
    n_steps = int(st.session_state.lr_lab_sweep_steps)
    if not (0 < low < high <= 100):
        st.error(f"The rates must satisfy 0 < smallest < largest ≤ 100, got {low:g} and {high:g}.")
        return
    if not 1 <= n_steps <= MAX_SWEEP_STEPS:
        st.error(f"The sweep makes 1 to {MAX_SWEEP_STEPS:,} steps per rate, got {n_steps:,}.")
        return
    if not st.button("Run the sweep", key="lr_lab_sweep_run"):
        st.caption(f"The sweep trains {SWEEP_POINTS} copies of the network; press the button to start.")
        return

    trainer = lab.trainer
    rates = np.geomspace(low, high, SWEEP_POINTS)
    with st.spinner(f"Training {SWEEP_POINTS} copies…"):
        final_costs = sweep_learning_rates(
            lab.initial_network, trainer.X, trainer.y, rates, n_steps,
            batch_size=trainer.batch_size, seed=lab.settings.seed, shuffle=trainer.shuffle,
        )
    initial_cost = lab.initial_network.cost(trainer.X, trainer.y)
    regimes = classify_regimes(rates, final_costs, initial_cost)
    figure = sweep_figure(rates, final_costs, regimes, initial_cost=initial_cost, n_steps=n_steps)
    show_figure(figure, key="lr_lab_sweep", filename="backprop-lab-learning-rate-sweep")


def main() -> None:
    require_entry_point("learning_rate")
    initialize_state(DEFAULTS)
    st.title("Learning-rate lab")
    st.caption(
        "How far one step goes is the learning rate's job. Here the network from the Train page "
        "trains at several rates at once, starting from its initial weights."
    )
    lab = current_lab()
    stability_section(lab)
    comparison_section(lab)
    sweep_section(lab)


main()
