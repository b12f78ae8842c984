"""The Train page: choose data and a network, then watch gradient descent fit it step by step."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import streamlit as st

from backprop_core import ACTIVATIONS, INITIALIZERS, charts
from backprop_core.datasets import (
    REAL_DATASETS,
    REGRESSION_FORMULAS,
    REGRESSION_KINDS,
    REGRESSION_LABELS,
    Dataset,
    DatasetError,
    dataset_from_frame,
    load_real_dataset,
    make_regression,
    make_tiny,
    numeric_columns,
    read_csv,
)
from backprop_core.diagnostics import diagnose
from backprop_core.playback import history_points, play_batch, player_setup
from backprop_core.replay import replay_data, replay_figure
from backprop_core.quiz import FIT_AFTER_STEPS, Question, Score, next_question
from backprop_core.quiz_charts import fit_candidates_figure
from backprop_core.report import step_markdown
from backprop_core.landscape import stable_learning_rate
from backprop_core.session import (
    MAX_HIDDEN_LAYERS,
    MAX_SEED,
    MAX_UNITS_PER_LAYER,
    NetworkSettings,
    SettingsError,
    TrainingSession,
    parse_hidden_sizes,
    parse_learning_rate,
)
from backprop_core.export import SettingsFileError, history_csv, settings_from_json, settings_json
from backprop_core.inspection import step_anatomy
from backprop_core.links import (
    CONTROL_GROUPS,
    settings_for_file,
    settings_from_file,
    write_link,
    LEARNING_RATE_OPTIONS,
    MAX_POINTS,
    MAX_STEPS_PER_CLICK,
    MIN_POINTS,
    defaults,
    nearest_rate_option,
)
from lab_ui import (
    apply_settings,
    current_settings,
    initialize_state,
    live_player,
    page_link,
    presenter_view,
    require_entry_point,
    show_figure,
    sync_url,
)

MIN_POINTS_SLIDER, MAX_POINTS_SLIDER = MIN_POINTS, MAX_POINTS
PROGRESS_BAR_FROM = 1_000
# Play: frames of steps_per_update steps, shown every FRAME_INTERVAL_MS in the browser and
# trained FRAMES_PER_BATCH at a time on the server.
FRAMES_PER_BATCH = 16
FRAME_INTERVAL_MS = 160
UPLOAD = "upload"
UPLOAD_TRANSFER_LIMIT_MB = 50
LONG_RUN_INTERVAL_SECONDS = 0.2
LONG_RUN_SECONDS_PER_UPDATE = 0.4

DATASET_OPTIONS = (
    ["tiny"]
    + [f"generated:{kind}" for kind in REGRESSION_KINDS]
    + [f"real:{name}" for name in REAL_DATASETS]
    + [UPLOAD]
)

# The settings that links carry take their defaults from backprop_core.links. There "batch" is
# None for the full batch or else a size, and the sidebar shows it as a checkbox and a number.
DEFAULTS = {
    **{key: value for key, value in defaults().items() if key != "batch"},
    "lr_slider": nearest_rate_option(defaults()["lr_exact"]),
    "full_batch": defaults()["batch"] is None,
    "batch_size": 8,
    "log_cost": False,
    "playing": False,
    "pending_steps": 0,
    "pending_total": 0,
    "pending_start": 0,
}


def dataset_label(option: str) -> str:
    if option == "tiny":
        return "Tiny: 4 points on y = 2x + 1"
    if option == UPLOAD:
        return "Upload a CSV file…"
    kind, name = option.split(":", 1)
    if kind == "generated":
        return f"{REGRESSION_LABELS[name]}: {REGRESSION_FORMULAS[name]}"
    return f"Real data: {REAL_DATASETS[name].label}"


# --- data ----------------------------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def parse_upload(data: bytes):
    return read_csv(data)


def _on_upload_change() -> None:
    """Keep the uploaded file, or forget it when the user removed it from the uploader.

    The uploader itself drops its file when the user moves to another page, so the file is
    kept in session state. This callback runs only when the user changes the uploader.
    """
    upload = st.session_state.csv_upload
    if upload is None:
        st.session_state.pop("csv_file", None)
    else:
        st.session_state.csv_file = (upload.name, upload.getvalue())


def uploaded_dataset() -> tuple[Dataset | None, tuple | None]:
    """Draw the file uploader and column pickers; return the dataset built from them, or None."""
    # The uploader accepts any file up to 50 MB, so that a wrong type or a file over the
    # 5 MB limit reaches read_csv, which explains the problem in the page.
    upload = st.file_uploader(
        "CSV file (UTF-8, first row = column names, at most 5 MB)",
        key="csv_upload",
        max_upload_size=UPLOAD_TRANSFER_LIMIT_MB,
        on_change=_on_upload_change,
    )
    if "csv_file" not in st.session_state:
        st.info("Upload a CSV file with a header row and numeric columns to train on it.")
        return None, ("waiting",)
    name, data = st.session_state.csv_file
    if upload is None:
        st.caption(f"Using {name}, uploaded earlier in this session.")

    try:
        frame = parse_upload(data)
    except DatasetError as error:
        st.error(f"{name}: {error}")
        return None, None
    columns = numeric_columns(frame)
    if all(_looks_numeric(column) for column in frame.columns):
        st.warning(
            f"Every column name of {name} is a number, so the file may have no header row and "
            "its first row of data is being used as the column names. Add a header row such as "
            "x,y and upload the file again."
        )
    if len(columns) < 2:
        st.error(
            f"{name} needs at least two numeric columns, one input and one target; it has "
            f"{len(columns)}: {', '.join(columns) or 'none'}."
        )
        return None, None

    if st.session_state.get("csv_target") not in columns:
        st.session_state.csv_target = columns[-1]
    target = st.selectbox("Target column (what to predict)", columns, key="csv_target")
    choices = [c for c in columns if c != target]
    chosen = [c for c in st.session_state.get("csv_inputs", choices) if c in choices]
    st.session_state.csv_inputs = chosen or choices
    inputs = st.multiselect("Input columns", choices, key="csv_inputs")

    try:
        dataset = dataset_from_frame(frame, inputs, target, name=name)
    except DatasetError as error:
        st.error(f"{name}: {error}")
        return None, None
    digest = hashlib.sha256(data).hexdigest()
    return dataset, (UPLOAD, digest, tuple(inputs), target)


def _looks_numeric(text: object) -> bool:
    try:
        float(str(text))
    except ValueError:
        return False
    return True


def data_controls(visible: bool = True) -> tuple[Dataset | None, tuple | None]:
    """Draw the data part of the sidebar; return the dataset and a key that identifies it.

    When ``visible`` is False (a student link that fixes the data), nothing is drawn and the
    settings come from session state, where the link put them.
    """
    if visible:
        st.header("Data")
        st.selectbox(
            "Dataset", DATASET_OPTIONS, format_func=dataset_label, key="dataset", persist_state="session"
        )
        st.number_input(
            "Seed",
            step=1,
            key="seed",
            persist_state="session",
            help=f"A whole number from 0 to {MAX_SEED:,}. It seeds the generated noise, the "
            "initial weights and the shuffling: the same seed and settings give the same numbers.",
        )
    option, seed = st.session_state.dataset, st.session_state.seed
    if not 0 <= seed <= MAX_SEED:
        st.error(f"The seed must be a whole number from 0 to {MAX_SEED:,}, got {seed:,}.")
        return None, None

    if option == UPLOAD:
        return uploaded_dataset()
    if option == "tiny":
        return make_tiny(), ("tiny",)
    kind, name = option.split(":", 1)
    if kind == "real":
        return load_real_dataset(name), option
    if visible:
        st.slider(
            "Number of points", MIN_POINTS_SLIDER, MAX_POINTS_SLIDER, key="n_points", persist_state="session"
        )
        st.slider(
            "Noise (standard deviation, in units of y)",
            0.0,
            1.0,
            step=0.05,
            key="noise",
            persist_state="session",
        )
    n_points, noise = st.session_state.n_points, st.session_state.noise
    return make_regression(name, n_points, noise, seed), (option, n_points, noise, seed)


# --- network -------------------------------------------------------------------------------------


def network_controls(visible: bool = True) -> NetworkSettings | None:
    """Draw the network part of the sidebar; return the settings, or None after showing an error.

    When ``visible`` is False, nothing is drawn and the settings come from session state.
    """
    if visible:
        draw_network_controls()
    text = st.session_state.hidden_text
    output_activation = st.session_state.output_activation
    try:
        hidden_sizes = parse_hidden_sizes(text)
        return NetworkSettings(
            hidden_sizes=hidden_sizes,
            hidden_activation=st.session_state.hidden_activation,
            output_activation=output_activation,
            init=st.session_state.init,
            seed=int(st.session_state.seed),
            standardize=bool(st.session_state.standardize),
            scale_targets_to_output=bool(st.session_state.get("scale_targets"))
            and ACTIVATIONS[output_activation].output_range in ((0.0, 1.0), (-1.0, 1.0)),
        )
    except SettingsError as error:
        st.error(str(error))
        return None


def draw_network_controls() -> None:
    st.header("Network")
    text = st.text_input(
        "Hidden layer sizes",
        key="hidden_text",
        persist_state="session",
        help=f"Neurons in each hidden layer, separated by commas or spaces: “8, 8” is two layers of 8. "
        f"Leave empty for no hidden layer. 0 to {MAX_HIDDEN_LAYERS} layers of 1 to "
        f"{MAX_UNITS_PER_LAYER} neurons.",
    )
    st.selectbox(
        "Hidden activation",
        list(ACTIVATIONS),
        key="hidden_activation",
        persist_state="session",
        disabled=not text.replace(",", " ").split(),
        help="Used by every hidden layer. Without hidden layers there is nothing to set.",
    )
    output_activation = st.selectbox(
        "Output activation",
        list(ACTIVATIONS),
        key="output_activation",
        persist_state="session",
        help="Linear suits regression: the output can take any value.",
    )
    st.selectbox(
        "Initial weights",
        ["auto", *INITIALIZERS],
        key="init",
        persist_state="session",
        help="auto: He for ReLU layers, Xavier for the others. Biases start at 0 "
        "(under constant, every weight and bias is 0.5).",
    )
    if ACTIVATIONS[output_activation].output_range in ((0.0, 1.0), (-1.0, 1.0)):
        st.checkbox(
            "Scale the targets into the output's range",
            key="scale_targets",
            persist_state="session",
            help=f"A {output_activation} output can only produce values in "
            f"{ACTIVATIONS[output_activation].output_range}. This maps the targets linearly into the "
            "middle 80 % of that range, so that every target can be reached.",
        )
    st.checkbox(
        "Standardise inputs and targets",
        key="standardize",
        persist_state="session",
        help="Train on values scaled to mean 0 and standard deviation 1. Charts show original units.",
    )


# --- training settings ---------------------------------------------------------------------------


def _on_rate_slider() -> None:
    st.session_state.lr_exact = st.session_state.lr_slider


def _on_rate_exact() -> None:
    value = st.session_state.lr_exact
    if value is not None and math.isfinite(value) and value > 0:
        st.session_state.lr_slider = nearest_rate_option(value)


def training_controls(n_samples: int, visible: bool = True) -> tuple[float | None, int | None, bool]:
    """Draw the training part of the sidebar and return the learning rate and batching.

    When ``visible`` is False, nothing is drawn and the settings come from session state.
    """
    if visible:
        draw_rate_controls()
    try:
        learning_rate = parse_learning_rate(st.session_state.lr_exact)
    except SettingsError as error:
        st.error(f"{error} Training keeps the previous learning rate until then.")
        learning_rate = None

    if visible:
        st.checkbox(
            f"Full batch: all {n_samples} examples every step", key="full_batch", persist_state="session"
        )
    shuffle = st.session_state.shuffle
    if st.session_state.full_batch:
        return learning_rate, None, shuffle
    if visible:
        st.number_input("Batch size (examples per step)", step=1, key="batch_size", persist_state="session")
    batch_size = st.session_state.batch_size
    if batch_size < 1:
        st.error(
            f"The batch size must be at least 1, got {batch_size}. Training keeps the "
            "previous batch size until then."
        )
        return learning_rate, st.session_state.lab.batch_size, st.session_state.shuffle
    if batch_size > n_samples:
        if visible:
            st.caption(f"The data has {n_samples} examples, so a batch of {batch_size} uses all of them.")
        batch_size = n_samples
    if visible:
        shuffle = st.checkbox("Shuffle the examples every epoch", key="shuffle", persist_state="session")
    return learning_rate, batch_size, shuffle


def draw_rate_controls() -> None:
    st.header("Training")
    st.select_slider(
        "Learning rate η (log scale)",
        LEARNING_RATE_OPTIONS,
        key="lr_slider",
        on_change=_on_rate_slider,
        persist_state="session",
        format_func=lambda value: f"{value:g}",
    )
    st.number_input(
        "Learning rate, exact value",
        key="lr_exact",
        on_change=_on_rate_exact,
        persist_state="session",
        format="%g",
        step=0.01,
        help="Type any positive number; the slider moves to the nearest mark.",
    )


# --- the training session ------------------------------------------------------------------------


def current_session(
    dataset: Dataset | None, data_key: tuple | None, settings: NetworkSettings | None
) -> TrainingSession | None:
    """Return the session in state, rebuilt with a notice when the data or the network changed."""
    lab: TrainingSession | None = st.session_state.get("lab")
    if data_key == ("waiting",):
        if lab is not None:
            st.info("The network below keeps its data until you upload a file.")
        return lab
    if dataset is None or settings is None:
        if lab is not None:
            st.warning(
                "Fix the setting marked in the sidebar to apply it. Until then the network "
                "below keeps training on the last valid data and settings."
            )
        return lab

    key = (data_key, settings)
    if lab is not None and st.session_state.get("lab_key") == "custom":
        # A network typed in on the Inside a step page stays until a sidebar setting changes.
        st.session_state.lab_key = key
        return lab
    if lab is not None and st.session_state.get("lab_key") == key:
        return lab
    try:
        new_lab = TrainingSession(
            dataset,
            settings,
            learning_rate=lab.learning_rate if lab is not None else st.session_state.lr_exact,
        )
    except (DatasetError, SettingsError, ValueError) as error:
        st.error(f"Could not build the network: {error}")
        return lab
    if lab is not None:
        st.info(
            "The data or the network changed, so training restarted at step 0 from new "
            "initial weights. (A change of learning rate or batch size keeps training going.)"
        )
    st.session_state.lab = new_lab
    st.session_state.lab_key = key
    st.session_state.playing = False
    return new_lab


# --- buttons -------------------------------------------------------------------------------------


def _on_step() -> None:
    st.session_state.lab.step()


def _on_step_many() -> None:
    n_steps = int(st.session_state.n_steps)
    st.session_state.playing = False
    if n_steps < PROGRESS_BAR_FROM:
        st.session_state.lab.run(n_steps)
        return
    # A long run goes on in the live view, a chunk per screen update, with a progress bar.
    st.session_state.pending_steps = n_steps
    st.session_state.pending_total = n_steps
    st.session_state.pending_start = st.session_state.lab.trainer.step_count


def _on_play() -> None:
    if st.session_state.pending_steps:
        st.session_state.pending_steps = 0
        return
    st.session_state.playing = not st.session_state.playing
    if st.session_state.playing:
        # A new run of the player: it starts drawing from the current state.
        st.session_state.player_run = st.session_state.get("player_run", 0) + 1


def _on_reset() -> None:
    st.session_state.lab.reset()
    st.session_state.playing = False
    st.session_state.pending_steps = 0


def play_label() -> str:
    if st.session_state.pending_steps:
        return "Stop"
    return "Pause" if st.session_state.playing else "Play"


def buttons(lab: TrainingSession) -> None:
    stopped = lab.trainer.stopped
    n_steps = st.session_state.n_steps
    n_steps_valid = 1 <= n_steps <= MAX_STEPS_PER_CLICK
    step_col, many_col, count_col, play_col, reset_col = st.columns([1, 1.2, 1.2, 1, 1])
    step_col.button("Step", key="step", on_click=_on_step, disabled=stopped, width="stretch")
    many_col.button(
        f"Step ×{int(n_steps):,}" if n_steps_valid else "Step ×N",
        key="step_many",
        on_click=_on_step_many,
        disabled=stopped or not n_steps_valid,
        width="stretch",
    )
    count_col.number_input(
        "Steps per click",
        step=100,
        key="n_steps",
        persist_state="session",
        label_visibility="collapsed",
        help=f"How many steps Step ×N makes, from 1 to {MAX_STEPS_PER_CLICK:,}.",
    )
    play_col.button(
        play_label(),
        key="play",
        on_click=_on_play,
        disabled=stopped,
        width="stretch",
        type="primary",
    )
    reset_col.button("Reset", key="reset", on_click=_on_reset, width="stretch")
    if not n_steps_valid:
        st.error(
            f"Step ×N makes 1 to {MAX_STEPS_PER_CLICK:,} steps at a time, got {int(n_steps):,}. "
            "Type a number in that range next to the button."
        )


def run_long_chunk(lab: TrainingSession) -> None:
    """Advance a long Step ×N run by one screen update's worth of steps."""
    total = st.session_state.pending_total
    lab.run_for(st.session_state.pending_steps, LONG_RUN_SECONDS_PER_UPDATE)
    done = lab.trainer.step_count - st.session_state.pending_start
    st.session_state.pending_steps = 0 if lab.trainer.stopped else max(total - done, 0)
    st.progress(min(done / total, 1.0), text=f"Training: {done:,} of {total:,} steps (Stop ends the run)")


# --- status and charts ---------------------------------------------------------------------------


def show_status(lab: TrainingSession) -> None:
    trainer = lab.trainer
    step_col, epoch_col, cost_col, rate_col = st.columns(4)
    step_col.metric("Step", f"{trainer.step_count:,}")
    epoch_col.metric(
        "Epoch",
        f"{trainer.epoch:,}",
        help="The pass over the data that the last step belonged to, counted from 1. With "
        "mini-batches an epoch has several steps.",
    )
    cost_col.metric(
        "Cost (all data)",
        f"{trainer.cost():.6g}",
        help="Mean squared error over every example"
        + (", on standardised targets." if lab.settings.standardize else "."),
    )
    rate_col.metric("Learning rate η", f"{trainer.learning_rate:g}")
    if trainer.divergence is not None:
        st.error(f"{trainer.divergence.message()} {stable_rate_advice(lab)}")


def stable_rate_advice(lab: TrainingSession) -> str:
    """Suggest a learning rate from 2 / λ_max of the cost's Hessian at the initial weights."""
    key = ("stable_rate", id(lab.trainer))
    if st.session_state.get("stable_rate_key") != key:
        trainer = lab.trainer
        st.session_state.stable_rate = stable_learning_rate(lab.initial_network, trainer.X, trainer.y)
        st.session_state.stable_rate_key = key
    limit = st.session_state.stable_rate
    if limit is None:
        return ""
    return (
        f"At the initial weights, full-batch steps are stable for η below about {limit:.3g} "
        f"(2 divided by the largest curvature of the cost); try η = {0.8 * limit:.2g}."
    )


def show_charts(lab: TrainingSession) -> None:
    trainer, dataset = lab.trainer, lab.dataset
    steps, costs = lab.cost_series()
    cost_col, fit_col = st.columns(2)
    with cost_col:
        # The presenter view leaves out the chart options, keeping what the class looks at.
        if presenter_view():
            log_scale = bool(st.session_state.log_cost)
        else:
            log_scale = st.checkbox("Log scale", key="log_cost", persist_state="session")
        figure = charts.cost_figure(
            steps,
            costs,
            current_step=int(steps[-1]),
            current_cost=float(costs[-1]),
            log_scale=log_scale,
            divergence_step=trainer.divergence.step if trainer.divergence else None,
            cost_label="cost (MSE, standardised units)" if lab.settings.standardize else "cost",
        )
        show_figure(figure, key="cost_chart", filename=chart_filename(lab, "cost"))
    with fit_col:
        predicted = lab.predict(dataset.X)
        if dataset.X.shape[1] == 1:
            curve_x, curve_y = lab.fit_curve()
            figure = charts.fit_figure_1d(
                dataset.X[:, 0],
                dataset.y[:, 0],
                predicted[:, 0],
                curve_x,
                curve_y,
                x_label=dataset.feature_names[0],
                y_label=dataset.target_names[0],
                reachable=lab.reachable_range(),
            )
        else:
            figure = charts.fit_figure_scatter(
                dataset.y[:, 0], predicted[:, 0], target_label=dataset.target_names[0]
            )
        show_figure(figure, key="fit_chart", filename=chart_filename(lab, "fit"))

    names = lab.network.parameter_names()
    if st.session_state.get("weights_shown_for") != names:
        # A new network starts with a selection that covers every layer.
        st.session_state.weights_shown = charts.default_parameters_shown(names)
        st.session_state.weights_shown_for = names
    if presenter_view():
        chosen = st.session_state.weights_shown
    else:
        chosen = st.multiselect("Parameters to draw", names, key="weights_shown", persist_state="session")
    snapshot_steps, values = lab.parameter_series()
    figure = charts.weight_trajectory_figure(
        snapshot_steps, values, names, selected=chosen, max_points=charts.WEIGHT_POINTS_PER_LINE
    )
    show_figure(figure, key="weights_chart", filename=chart_filename(lab, "weights"))

    norms = lab.trainer.history.gradient_norms
    figure = charts.gradient_norms_figure(
        np.arange(1, norms.shape[0] + 1), norms, max_points=charts.GRADIENT_POINTS_PER_LINE
    )
    show_figure(figure, key="gradients_chart", filename=chart_filename(lab, "gradient-sizes"))


def chart_filename(lab: TrainingSession, chart: str) -> str:
    """Name a PNG after what it shows: the chart, dataset, layer sizes and step."""
    data = str(st.session_state.get("dataset", "data")).split(":")[-1] if not lab.is_custom else "own-data"
    layers = "-".join(str(size) for size in lab.network.layer_sizes)
    return f"backprop-lab-{chart}-{data}-{layers}-step-{lab.trainer.step_count}"


# One-click fixes offered next to a finding: (button label, sidebar setting, value).
FIXES = {
    "output_range": ("Use a linear output", "output_activation", "linear"),
    "unscaled_inputs": ("Standardise inputs and targets", "standardize", True),
    "symmetry": ("Use random initial weights", "init", "auto"),
    "dead_units": ("Use leaky ReLU in the hidden layers", "hidden_activation", "leaky_relu"),
}


def _apply_fix(setting: str, value: object) -> None:
    st.session_state[setting] = value


def show_health(lab: TrainingSession) -> None:
    """Show what the diagnostics found about the current network and data, with fixes."""
    trainer = lab.trainer
    if trainer.stopped:
        return
    with np.errstate(all="ignore"):
        gradients = lab.network.backward(lab.network.forward(trainer.X), trainer.y)
    findings = diagnose(
        lab.network,
        trainer.X,
        trainer.y,
        standardized=lab.settings.standardize,
        gradients=gradients,
        cost=gradients.cost,
        layer_gradient_norms=trainer.history.gradient_norms if len(trainer.history) else None,
    )
    for index, finding in enumerate(findings):
        show = st.warning if finding.severity == "warning" else st.info
        show(finding.message)
        fix = FIXES.get(finding.kind)
        if finding.kind == "output_range" and ACTIVATIONS[lab.network.activations[-1]].output_range in ((0.0, 1.0), (-1.0, 1.0)):
            left, right = st.columns(2)
            left.button(fix[0], key=f"fix_{index}", on_click=_apply_fix, args=fix[1:])
            right.button(
                "Scale the targets into the output's range",
                key=f"fix_{index}_scale",
                on_click=_apply_fix,
                args=("scale_targets", True),
            )
        elif fix is not None and not lab.is_custom:
            st.button(fix[0], key=f"fix_{index}", on_click=_apply_fix, args=fix[1:])


def live_view(lab: TrainingSession, with_buttons: bool) -> None:
    """Draw the buttons, health notes, status and charts in a fragment.

    A Step, a long run or Play then reruns only this part of the page, not the sidebar.

    With ``with_buttons`` False (the quiz, which must see every step), the caller draws the
    buttons and health notes outside, and a Step reruns the whole page.
    """
    interval = LONG_RUN_INTERVAL_SECONDS if st.session_state.pending_steps else None
    st.session_state.view_ticking = interval is not None

    @st.fragment(run_every=interval)
    def view() -> None:
        if with_buttons:
            buttons(lab)
            show_health(lab)
        if st.session_state.pending_steps:
            if not st.session_state.view_ticking:
                # Step ×N started a long run inside this fragment, whose timer was defined off.
                # A run of the whole page defines the fragment again with the timer on.
                st.rerun()
            run_long_chunk(lab)
            if not st.session_state.pending_steps:
                st.rerun()
        if st.session_state.playing:
            play_view(lab)
            return
        show_status(lab)
        show_charts(lab)
        replay_section(lab)

    view()


def play_view(lab: TrainingSession) -> None:
    """Train a batch of frames when the player asks for it, and let the browser animate them.

    One server run makes `FRAMES_PER_BATCH` frames of ``steps_per_update`` steps each. The
    player plays them at `FRAME_INTERVAL_MS` and requests the next batch while half of this one
    is still to be shown, so a playing class costs the server one run per batch, not per frame.
    """
    state = st.session_state
    session_id = f"{id(lab.trainer)}-{state.get('player_run', 0)}"
    if state.get("player_session") != session_id:
        state.player_session = session_id
        state.player_batch = 0
    request = state.get("live_player")
    requested = 0
    if isinstance(request, dict) and request.get("session") == session_id:
        requested = int(request.get("want", 0))
    if state.player_batch == 0 or requested > state.player_batch:
        if lab.trainer.stopped:
            # The player has shown the frames up to the stop, so the page now shows why it stopped.
            state.playing = False
            st.rerun()
        history = history_points(lab)
        batch = play_batch(lab, FRAMES_PER_BATCH, int(state.steps_per_update))
        state.player_batch += 1
        state.player_args = {
            "session": session_id,
            "batch": state.player_batch,
            "frames": batch["frames"],
            "stopped": batch["stopped"],
            "history": history,
            "setup": player_setup(lab),
            "interval_ms": FRAME_INTERVAL_MS,
            "frames_per_batch": FRAMES_PER_BATCH,
            "presenter": presenter_view(),
            "log_cost": bool(state.log_cost),
            "note": f"Playing: {int(state.steps_per_update):,} steps per frame. Pause to see every chart.",
        }
    live_player(**{**state.player_args, "playing": True})


# --- replay ------------------------------------------------------------------------------------


def _on_build_replay() -> None:
    lab: TrainingSession = st.session_state.lab
    st.session_state.playing = False
    st.session_state.replay = (id(lab.trainer), lab.trainer.step_count, replay_figure(replay_data(lab)))


def replay_section(lab: TrainingSession) -> None:
    """Replay the recorded run as an animation that plays in the browser, at no cost to the server."""
    st.subheader("Replay the run")
    trainer = lab.trainer
    replay = st.session_state.get("replay")
    if replay is not None and replay[0] != id(trainer):
        st.session_state.pop("replay")
        replay = None
    if trainer.step_count == 0:
        st.caption("Train for a few steps, then build a replay to watch the run again from step 0.")
        return
    label = "Build the replay" if replay is None else "Build the replay again"
    st.button(label, key="build_replay", on_click=_on_build_replay, icon=":material/movie:")
    if replay is None:
        st.caption(
            "The replay shows the cost curve growing, the fit moving and the weights travelling, "
            "step by step. It plays in your browser with its own Play button and slider."
        )
        return
    _, built_at, figure = replay
    if built_at != trainer.step_count:
        st.caption(
            f"This replay covers steps 0 to {built_at:,}. Build it again to include the "
            f"{trainer.step_count - built_at:,} steps made since."
        )
    show_figure(figure, key="replay_chart", filename=f"backprop-lab-replay-step-{built_at}")


# --- predict, then reveal ----------------------------------------------------------------------


def current_question(lab: TrainingSession) -> Question | None:
    """Return the question about the next step, made once per step and kept until answered."""
    trainer = lab.trainer
    key = (id(trainer), trainer.step_count)
    if st.session_state.get("quiz_question_key") != key:
        st.session_state.quiz_question = next_question(
            lab, seed=lab.settings.seed, previous_kind=st.session_state.get("quiz_previous_kind")
        )
        st.session_state.quiz_question_key = key
    return st.session_state.quiz_question


def _on_quiz_answer(question: Question, choice_key: str) -> None:
    choice = st.session_state.get(choice_key)
    if choice is None:
        return
    lab: TrainingSession = st.session_state.lab
    correct = st.session_state.quiz_score.record(question, choice)
    if question.kind == "fit_after":
        lab.run(FIT_AFTER_STEPS)
    else:
        lab.step()
    st.session_state.quiz_revealed = (question, choice, correct)
    st.session_state.quiz_previous_kind = question.kind
    st.session_state.playing = False


def _on_next_question() -> None:
    st.session_state.pop("quiz_revealed", None)


def _on_reset_score() -> None:
    st.session_state.quiz_score = Score()


def quiz_panel(lab: TrainingSession) -> None:
    """Ask about the next step before it runs, then show the correct choice with its numbers."""
    if not st.session_state.get("quiz"):
        return
    score: Score = st.session_state.setdefault("quiz_score", Score())
    with st.container(border=True, key="quiz_panel"):
        head, score_col, reset_col = st.columns([3, 1, 1], vertical_alignment="center")
        head.markdown("#### Predict, then reveal")
        score_col.metric("Your score", f"{score.correct} of {score.asked}")
        reset_col.button("Reset the score", key="quiz_reset_score", on_click=_on_reset_score)
        revealed = st.session_state.get("quiz_revealed")
        if revealed is not None:
            question, choice, correct = revealed
            show = st.success if correct else st.error
            verdict = "Right" if correct else f"Not this time: the answer was {question.answer}"
            show(f"{verdict}. You chose {choice}. {question.reveal}")
            if question.fit is not None:
                show_quiz_fit(lab, question, revealed=True)
            st.button("Next question", key="quiz_next", on_click=_on_next_question, type="primary")
            return
        if lab.trainer.stopped:
            st.info("Training has stopped, so there is no next step to ask about. Press Reset to start again.")
            return
        question = current_question(lab)
        if question is None:
            st.info("No question fits this network and data right now. Press Step and try again.")
            return
        st.markdown(question.prompt)
        if question.fit is not None:
            show_quiz_fit(lab, question, revealed=False)
        choice_key = f"quiz_choice_{question.step}_{question.kind}"
        choice = st.radio("Your answer", question.options, index=None, horizontal=True, key=choice_key)
        runs = f"the {FIT_AFTER_STEPS} steps run" if question.kind == "fit_after" else "the step runs"
        st.button(
            f"Lock in my answer: {runs}",
            key="quiz_answer",
            on_click=_on_quiz_answer,
            args=(question, choice_key),
            disabled=choice is None,
            type="primary",
        )


def show_quiz_fit(lab: TrainingSession, question: Question, revealed: bool) -> None:
    figure = fit_candidates_figure(
        question.fit,
        x_label=lab.dataset.feature_names[0],
        y_label=lab.dataset.target_names[0],
        revealed=revealed,
    )
    show_figure(figure, key="quiz_fit_chart", filename=f"backprop-lab-quiz-step-{question.step}")


# --- sharing and saving --------------------------------------------------------------------------


def _on_settings_file() -> None:
    """Apply a settings file chosen in the share panel, checking each value as a link's."""
    upload = st.session_state.settings_upload
    if upload is None:
        return
    try:
        settings = settings_from_json(upload.getvalue())
    except SettingsFileError as error:
        st.session_state.settings_file_error = f"{upload.name}: {error}"
        return
    values, notes = settings_from_file(settings)
    apply_settings(values)
    st.session_state.pop("settings_file_error", None)
    st.session_state.link_notes = notes


def share_panel(lab: TrainingSession) -> None:
    """Links for the class, and downloads of the run, in a popover next to the title."""
    query, invalid = write_link(current_settings())
    with st.popover("Share and save", icon=":material/share:", width="stretch"):
        st.markdown("**Link to this setup**")
        if lab.is_custom:
            st.info(
                "This network and data were typed in on the Inside a step page; share them from "
                "there, as a link or as a setup file. The link below opens the sidebar's settings."
            )
        if invalid:
            st.warning(
                f"The setting{'s' if len(invalid) > 1 else ''} {', '.join(invalid)} "
                "is not valid now, so the link uses the default instead."
            )
        link_query = {**query, **switches_query()}
        st.code(page_link(link_query), language=None, wrap_lines=True)
        st.caption(
            "Copy it with the icon at the box's right end. It opens the same data, the same "
            "initial weights and the same training settings, in any browser."
        )
        st.markdown("**Student link**")
        shown = st.multiselect(
            "Controls students can change",
            list(CONTROL_GROUPS),
            default=list(CONTROL_GROUPS),
            format_func=CONTROL_GROUPS.get,
            key="student_groups",
        )
        hidden = [group for group in CONTROL_GROUPS if group not in shown]
        student_query = {name: text for name, text in query.items() if name != "hide"}
        if hidden:
            student_query["hide"] = ",".join(hidden)
        if st.session_state.get("quiz"):
            student_query["quiz"] = "true"
        st.code(page_link(student_query), language=None, wrap_lines=True)
        st.caption("Students who open it see only the controls chosen above, without the presenter view.")

        st.markdown("**Downloads**")
        st.download_button(
            "History (CSV)",
            data=lambda: history_csv(lab),
            file_name="backprop-lab-history.csv",
            mime="text/csv",
            key="download_history",
            on_click="ignore",
            help="Every step's epoch, learning rate and cost, and the parameters after it where "
            "the history kept them; the file's first column says which step each row is.",
        )
        st.download_button(
            "Settings (JSON)",
            data=settings_json(settings_for_file(current_settings())),
            file_name="backprop-lab-settings.json",
            mime="application/json",
            key="download_settings",
            on_click="ignore",
        )
        st.download_button(
            "This step's calculation (Markdown)",
            data=lambda: step_report(lab),
            file_name="backprop-lab-step.md",
            mime="text/markdown",
            key="download_step",
            on_click="ignore",
            help="The last step made, or the first one before any step: every z, a, delta and "
            "gradient, with the formulas.",
        )
        st.file_uploader(
            "Open a settings file (JSON)",
            type=["json"],
            key="settings_upload",
            max_upload_size=1,
            on_change=_on_settings_file,
        )
        if st.session_state.get("settings_file_error"):
            st.error(st.session_state.settings_file_error)


def switches_query() -> dict[str, str]:
    """Return the presenter and quiz switches that are on, for the teacher's own link."""
    return {name: "true" for name in ("presenter", "quiz") if st.session_state.get(name)}


def step_report(lab: TrainingSession) -> str:
    """Write the last step's calculation as Markdown, or the next step's before any step."""
    trainer = lab.trainer
    step = trainer.step_count if trainer.step_count else None
    try:
        anatomy = step_anatomy(trainer, step)
    except KeyError:
        anatomy = step_anatomy(trainer, None)
    return step_markdown(
        anatomy, None, feature_names=lab.dataset.feature_names, target_names=lab.dataset.target_names
    )


def sync_settings_to_url() -> None:
    """Keep the browser's URL equal to the settings, so its address is always a working link."""
    query, _ = write_link(current_settings())
    sync_url(query)


# --- page ----------------------------------------------------------------------------------------


def main() -> None:
    require_entry_point("train")
    initialize_state(DEFAULTS)
    hidden = set(st.session_state.hidden_groups)
    presenting = presenter_view()
    title_col, share_col = st.columns([3, 1], vertical_alignment="bottom")
    title_col.title("Train a network")
    if not presenting:
        st.caption(
            "Each step computes the gradient of the cost by backpropagation and moves every "
            "weight and bias a little against it. Press Step and watch the cost fall."
        )
    with st.expander("The formulas behind each step"):
        st.markdown("The **cost** is the mean squared error over the n examples of the batch:")
        st.latex(r"C = \frac{1}{n} \sum_{i=1}^{n} \left(\hat{y}_i - y_i\right)^2")
        st.markdown(
            "Backpropagation applies the chain rule layer by layer, from the output back to "
            "the input, to get ∂C/∂W and ∂C/∂b for every weight and bias. One **step** then "
            "moves each of them against its gradient, scaled by the **learning rate** η:"
        )
        st.latex(
            r"W \leftarrow W - \eta \, \frac{\partial C}{\partial W}, \qquad "
            r"b \leftarrow b - \eta \, \frac{\partial C}{\partial b}"
        )
        st.markdown(
            "An **epoch** is one pass over the data: one step with the full batch, or several "
            "with mini-batches."
        )

    with st.sidebar:
        if hidden:
            names = " and ".join(CONTROL_GROUPS[group].split(":")[0].lower() for group in CONTROL_GROUPS if group in hidden)
            st.caption(f"The link that opened this page fixes the {names} settings for this lesson.")
        dataset, data_key = data_controls("data" not in hidden)
        settings = network_controls("network" not in hidden)
    lab = current_session(dataset, data_key, settings)
    if lab is None:
        st.info("Choose a dataset and a network in the sidebar to start.")
        return
    with st.sidebar:
        learning_rate, batch_size, shuffle = training_controls(lab.dataset.X.shape[0], "training" not in hidden)
        if "training" not in hidden:
            st.number_input(
                "Steps per frame while playing",
                min_value=1,
                max_value=1000,
                key="steps_per_update",
                persist_state="session",
            )
    if learning_rate is not None and learning_rate != lab.learning_rate:
        lab.set_learning_rate(learning_rate)
    lab.set_batching(batch_size, shuffle)
    with share_col:
        share_panel(lab)

    st.caption(f"**{lab.dataset.name}**: {lab.dataset.description}")
    if lab.is_custom:
        st.info(
            "You are training the network and data from the Inside a step page. Change any "
            "setting in the sidebar to go back to the data and network chosen there."
        )
    quiz_panel(lab)
    quiz_on = bool(st.session_state.get("quiz"))
    if quiz_on:
        buttons(lab)
        show_health(lab)
    live_view(lab, with_buttons=not quiz_on)
    sync_settings_to_url()


main()
