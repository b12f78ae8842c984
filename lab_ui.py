"""Streamlit helpers shared by the pages. The only module besides the pages that imports Streamlit."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import plotly
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components

from backprop_core import charts
from backprop_core.config import CustomSetup, example_setup
from backprop_core.links import (
    BOUND_SWITCHES,
    FIELDS,
    KNOWN_PARAMETERS,
    LinkValueError,
    nearest_rate_option,
    parse_switch,
    read_link,
)
from backprop_core.datasets import Dataset
from backprop_core.session import TrainingSession

PAGE_FILES = {
    "train": "pages/train.py",
    "inside": "pages/inside.py",
    "landscape": "pages/landscape.py",
    "learning_rate": "pages/learning_rate.py",
}


def require_entry_point(page: str) -> None:
    """Restart through app.py when Streamlit ran this page file on its own.

    Until a server has run ``st.navigation`` once, Streamlit 1.67 treats the ``pages/``
    folder as an old-style multipage app: the first session that opens a page's URL directly
    runs that file alone, without app.py's page setup and menu. The page then requests that app.py
    open it, which `open_requested_page` does once the navigation exists.
    """
    if st.session_state.get("navigation_ready"):
        return
    st.session_state.requested_page = (page, dict(st.query_params))
    st.switch_page("app.py")


def open_requested_page(pages: dict) -> None:
    """Mark the navigation as set up and open a page that asked for it, see `require_entry_point`."""
    st.session_state.navigation_ready = True
    requested = st.session_state.pop("requested_page", None)
    if requested is not None:
        page, query = requested
        # The switches are bound to widgets, which Streamlit alone may write to the URL; their
        # values are already in session state (see `read_link_once`).
        query = {name: text for name, text in query.items() if name not in BOUND_SWITCHES}
        st.switch_page(pages[page], query_params=query)


# --- links and the classroom switches -------------------------------------------------------------

PRESENTER_CSS = """
<style>
/* Streamlit sizes text in rem, so a larger root font enlarges every label, metric and button. */
html { font-size: 21px; }
[data-testid="stMetricValue"] { font-size: 2.4rem; font-weight: 600; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { line-height: 1.45; }
</style>
"""


def wants_presenter_view() -> bool:
    """Tell whether the presenter view is on before its switch is drawn, from state or else the URL."""
    if "presenter" in st.session_state:
        return bool(st.session_state.presenter)
    try:
        return parse_switch(st.query_params.get("presenter", "0"))
    except LinkValueError:
        return False


def presenter_view() -> bool:
    return bool(st.session_state.get("presenter"))


def apply_settings(values: dict) -> None:
    """Put settings read from a link or a settings file into the Train page's session state."""
    for key, value in values.items():
        if key == "batch":
            st.session_state.full_batch = value is None
            if value is not None:
                st.session_state.batch_size = value
        elif key == "lr_exact":
            st.session_state.lr_exact = value
            st.session_state.lr_slider = nearest_rate_option(value)
        else:
            st.session_state[key] = value


def read_link_once() -> None:
    """Apply the settings in the URL that opened this session, once, and keep notes on bad ones."""
    if st.session_state.get("link_read"):
        return
    st.session_state.link_read = True
    requested = st.session_state.get("requested_page")
    if requested is not None:
        # The first visit of a fresh server came through a page file; its query was kept.
        query = dict(requested[1])
    else:
        query = {name: st.query_params.get_all(name) for name in st.query_params}
    values, notes = read_link(query)
    apply_settings(values)
    st.session_state.link_notes = notes
    for name in BOUND_SWITCHES:
        if name in query:
            # Streamlit's bound switches read only "true" and "false"; 1, yes and on work too.
            text = query[name] if isinstance(query[name], str) else query[name][-1]
            try:
                st.session_state[name] = parse_switch(text)
            except LinkValueError:
                pass
    for name in list(st.query_params):
        if name not in KNOWN_PARAMETERS:
            del st.query_params[name]


def show_link_notes() -> None:
    """Show what was wrong with the link that opened the session, until the user dismisses it."""
    notes = st.session_state.get("link_notes")
    if not notes:
        return
    st.warning(
        "Some settings in the link could not be used:\n\n"
        + "\n".join(f"- {note}" for note in notes)
    )
    st.button("Dismiss", key="dismiss_link_notes", on_click=st.session_state.pop, args=("link_notes",))


def current_settings() -> dict:
    """Collect the Train page's settings from session state, keyed as `backprop_core.links` expects."""
    values = {field.key: st.session_state[field.key] for field in FIELDS if field.key in st.session_state}
    if "full_batch" in st.session_state:
        values["batch"] = None if st.session_state.full_batch else st.session_state.get("batch_size")
    return values


def sync_url(query: dict[str, str]) -> None:
    """Make the URL's settings equal ``query``, touching only the parameters that differ."""
    for field in FIELDS:
        text = query.get(field.name)
        if text is None:
            if field.name in st.query_params:
                del st.query_params[field.name]
        elif st.query_params.get(field.name) != text:
            st.query_params[field.name] = text


def page_link(query: dict[str, str]) -> str:
    """Build the address of the current page with ``query``, for sharing."""
    base = (st.context.url or "").split("?")[0]
    if base and not urlsplit(base).path:
        base += "/"
    if not query:
        return base
    # Commas stay readable: "hidden=8,8" rather than "hidden=8%2C8".
    return f"{base}?{urlencode(query, safe=',')}"


def classroom_switches() -> None:
    """Draw the presenter and quiz switches, which every page keeps in its URL."""
    with st.sidebar:
        st.toggle(
            "Presenter view",
            key="presenter",
            bind="query-params",
            help="For a projector: larger text, thicker lines, and fewer controls on the page.",
        )
        st.toggle(
            "Quiz: predict, then reveal",
            key="quiz",
            bind="query-params",
            help="On the Train page, answer a question about the next step before it runs; "
            "the answer is then revealed with the real numbers, and your score is kept.",
        )
    if presenter_view():
        st.html(PRESENTER_CSS)


# --- the live player -----------------------------------------------------------------------------

PLAYER_SOURCE = Path(__file__).parent / "player"


def player_folder() -> Path:
    """Return a folder with the live player's page, its script and Plotly's own plotly.min.js.

    Streamlit serves a component's files from one folder and does not follow links out of
    it, so the player's files and the plotly.min.js of the installed Plotly package are copied
    into a folder named after their content, once per version.
    """
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    sources = sorted(PLAYER_SOURCE.iterdir())
    digest = hashlib.sha256(plotly.__version__.encode())
    for source in sources:
        digest.update(source.name.encode() + source.read_bytes())
    folder = Path(tempfile.gettempdir()) / f"backprop-lab-player-{digest.hexdigest()[:16]}"
    if (folder / "index.html").is_file():
        return folder
    staging = Path(tempfile.mkdtemp(prefix="backprop-lab-player-staging-"))
    for source in sources:
        shutil.copyfile(source, staging / source.name)
    shutil.copyfile(plotly_js, staging / "plotly.min.js")
    os.chmod(staging, 0o755)
    try:
        staging.rename(folder)
    except OSError:
        # Another app process made the same folder first; its files are the same.
        shutil.rmtree(staging, ignore_errors=True)
    return folder


_live_player = components.declare_component("live_player", path=str(player_folder()))


def live_player(**args: object) -> dict | None:
    """Draw the live player with ``args``; return its last request for frames, or None."""
    return _live_player(key="live_player", default=None, **args)


def plotly_config(filename: str) -> dict:
    """Plotly options: PNG export named for the chart, at a size fit for slides."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": 1600,
            "height": 900,
            "scale": 1,
        },
    }


def show_figure(figure: go.Figure, key: str, filename: str) -> None:
    """Draw a Plotly figure across the container's width, restyled in the presenter view."""
    if presenter_view():
        figure = charts.presenter_style(figure)
    st.plotly_chart(figure, key=key, width="stretch", config=plotly_config(filename))


def initialize_state(defaults: dict) -> None:
    """Set each key of ``defaults`` in session state unless the session already has it."""
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def custom_dataset(setup: CustomSetup) -> Dataset:
    return Dataset(
        name="Your own data",
        X=setup.X,
        y=setup.y,
        feature_names=setup.feature_names,
        target_names=setup.target_names,
        description=f"{setup.X.shape[0]} examples typed in or loaded from a setup file.",
    )


def start_custom(setup: CustomSetup) -> None:
    """Replace the session with one that trains ``setup``'s network on its data."""
    lab = TrainingSession.from_custom(
        custom_dataset(setup), setup.network, setup.learning_rate, setup.batch_size
    )
    st.session_state.lab = lab
    # The Train page adopts this session as it is until a sidebar setting changes.
    st.session_state.lab_key = "custom"
    st.session_state.playing = False
    st.session_state.lr_exact = setup.learning_rate
    st.session_state.pop("inside_parameter", None)


def current_lab() -> TrainingSession:
    """Return the session's training run, starting the 1-2-1 worked example if there is none."""
    if st.session_state.get("lab") is None:
        start_custom(example_setup())
        st.info(
            "No network has been trained in this session yet, so the page starts with a worked "
            "example: a 1-2-1 tanh network on x = 0…3, y = 2x + 1. Choose other data and "
            "networks on the Train page."
        )
    return st.session_state.lab
