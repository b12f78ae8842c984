"""The Train page's settings as URL query parameters, checked value by value.

A link such as ``/?dataset=sine&points=80&seed=7&hidden=8,8&lr=0.1`` reproduces a lesson: the
same data, the same initial weights and the same training settings, bit for bit. This works
because every random draw is seeded and numbers are written with all the digits of a float64.

`read_link` turns query parameters into values for the page's settings. A value that is unknown,
out of range or not a number is left out, so its setting keeps its default, and a note says
what was wrong. `write_link` does the reverse and leaves out every value equal to its default,
so that links stay short.

This module is plain Python: no Streamlit, so it is tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .activations import ACTIVATIONS
from .datasets import REAL_DATASETS, REGRESSION_KINDS
from .initializers import INITIALIZERS
from .session import (
    MAX_HIDDEN_LAYERS,
    MAX_SEED,
    MAX_UNITS_PER_LAYER,
    SettingsError,
    parse_hidden_sizes,
)

MIN_POINTS, MAX_POINTS = 5, 500
MAX_LEARNING_RATE = 1000.0
MAX_STEPS_PER_CLICK = 100_000
MAX_STEPS_PER_UPDATE = 1000
MAX_BATCH_SIZE = 100_000
# Longer values are cut before parsing and in notes, so a huge URL costs nothing to check.
MAX_VALUE_CHARACTERS = 200
NOTE_VALUE_CHARACTERS = 30

#: The learning-rate slider's marks: 1, 2, 3 and 5 in every decade from 1e-4 to 1, then 10.
LEARNING_RATE_OPTIONS = [round(m * 10.0**e, 10) for e in range(-4, 1) for m in (1, 2, 3, 5)] + [10.0]


def nearest_rate_option(value: float) -> float:
    """The slider mark closest to ``value`` on a log scale; ``value`` must be positive."""
    return min(LEARNING_RATE_OPTIONS, key=lambda option: abs(math.log10(option) - math.log10(value)))


#: Groups of sidebar controls that a student link can hide.
CONTROL_GROUPS = {
    "data": "Data: dataset, points, noise and seed",
    "network": "Network: layers, activations and initial weights",
    "training": "Training: learning rate and batches",
}

#: Query parameters that belong to Streamlit or to other pages; `read_link` leaves them alone.
OTHER_PARAMETERS = frozenset({"embed", "embed_options", "setup"})


def dataset_options() -> list[str]:
    """Return the Train page's dataset choices, as stored in its session state."""
    return (
        ["tiny"]
        + [f"generated:{kind}" for kind in REGRESSION_KINDS]
        + [f"real:{name}" for name in REAL_DATASETS]
    )


class LinkValueError(ValueError):
    """A query parameter's value that cannot be used. The message states the rule it breaks."""


@dataclass(frozen=True)
class LinkField:
    """One setting carried in the URL.

    Attributes
    ----------
    name : str
        The query parameter's name.
    key : str
        The Train page's session-state key for the setting.
    default : object
        The value used when the URL has none or a bad one.
    parse : callable
        Turns the parameter's text into the value; raises `LinkValueError` with the rule broken.
    format : callable
        Turns a value into the parameter's text, so that ``parse(format(v)) == v``.
    """

    name: str
    key: str
    default: object
    parse: Callable[[str], object]
    format: Callable[[object], str]


# --- parsers -------------------------------------------------------------------------------------


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise LinkValueError(f"it must be a whole number from {low:,} to {high:,}") from None
        if not low <= value <= high:
            raise LinkValueError(f"it must be from {low:,} to {high:,}")
        return value

    return parse


def _number(low: float, high: float, low_inclusive: bool = True) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise LinkValueError(f"it must be a number from {low:g} to {high:g}") from None
        above_low = value >= low if low_inclusive else value > low
        if not (math.isfinite(value) and above_low and value <= high):
            bound = "from" if low_inclusive else "above"
            raise LinkValueError(f"it must be a number {bound} {low:g} to {high:g}")
        return value

    return parse


def _choice(options: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        if value not in options:
            raise LinkValueError(f"it must be one of {', '.join(options)}")
        return value

    return parse


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def parse_switch(text: str) -> bool:
    """Read an on/off value: 1, true, yes or on, and 0, false, no or off, in any case."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise LinkValueError("it must be 1 (on) or 0 (off)")


def _format_switch(value: object) -> str:
    return "1" if value else "0"


def _parse_dataset(text: str) -> str:
    value = text.strip()
    if value == "upload":
        raise LinkValueError(
            "an uploaded file cannot travel in a link; share the data as a setup file from the "
            "Inside a step page instead"
        )
    for option in dataset_options():
        if value == option.split(":")[-1]:
            return option
    names = [option.split(":")[-1] for option in dataset_options()]
    raise LinkValueError(f"it must be one of {', '.join(names)}")


def _format_dataset(value: object) -> str:
    return str(value).split(":")[-1]


def _parse_hidden(text: str) -> str:
    try:
        sizes = parse_hidden_sizes(text)
    except SettingsError:
        raise LinkValueError(
            f"it must list 0 to {MAX_HIDDEN_LAYERS} layer sizes from 1 to {MAX_UNITS_PER_LAYER}, "
            "separated by commas, such as 8,8"
        ) from None
    return ",".join(str(size) for size in sizes)


def _format_hidden(value: object) -> str:
    return ",".join(str(value).replace(",", " ").split())


def _parse_initializer(text: str) -> str:
    return _choice(["auto", *INITIALIZERS])(text)


def _parse_batch(text: str) -> int | None:
    if text.strip().lower() == "full":
        return None
    try:
        return _whole_number(1, MAX_BATCH_SIZE)(text)
    except LinkValueError:
        raise LinkValueError(f"it must be full or a whole number from 1 to {MAX_BATCH_SIZE:,}") from None


def _format_batch(value: object) -> str:
    return "full" if value is None else str(value)


def _parse_groups(text: str) -> tuple[str, ...]:
    names = [name for name in text.replace(" ", ",").split(",") if name]
    unknown = [name for name in names if name not in CONTROL_GROUPS]
    if unknown:
        raise LinkValueError(f"it lists controls from {', '.join(CONTROL_GROUPS)} only")
    return tuple(name for name in CONTROL_GROUPS if name in names)


def _format_groups(value: object) -> str:
    return ",".join(value)  # type: ignore[arg-type]


FIELDS: tuple[LinkField, ...] = (
    LinkField("dataset", "dataset", "tiny", _parse_dataset, _format_dataset),
    LinkField("points", "n_points", 60, _whole_number(MIN_POINTS, MAX_POINTS), str),
    LinkField("noise", "noise", 0.1, _number(0.0, 1.0), repr),
    LinkField("seed", "seed", 0, _whole_number(0, MAX_SEED), str),
    LinkField("hidden", "hidden_text", "3", _parse_hidden, _format_hidden),
    LinkField("activation", "hidden_activation", "tanh", _choice(list(ACTIVATIONS)), str),
    LinkField("output", "output_activation", "linear", _choice(list(ACTIVATIONS)), str),
    LinkField("init", "init", "auto", _parse_initializer, str),
    LinkField("standardize", "standardize", True, parse_switch, _format_switch),
    LinkField("scale_targets", "scale_targets", False, parse_switch, _format_switch),
    # repr writes the shortest text that reads back as the same float64, so η survives exactly.
    LinkField("lr", "lr_exact", 0.05, _number(0.0, MAX_LEARNING_RATE, low_inclusive=False), repr),
    LinkField("batch", "batch", None, _parse_batch, _format_batch),
    LinkField("shuffle", "shuffle", True, parse_switch, _format_switch),
    LinkField("steps", "n_steps", 100, _whole_number(1, MAX_STEPS_PER_CLICK), str),
    LinkField("per_update", "steps_per_update", 10, _whole_number(1, MAX_STEPS_PER_UPDATE), str),
    LinkField("hide", "hidden_groups", (), _parse_groups, _format_groups),
)

FIELDS_BY_NAME = {field.name: field for field in FIELDS}

#: Switches that Streamlit itself keeps in the URL (widgets bound to query parameters). They are
#: checked here for a note, and then left to Streamlit.
BOUND_SWITCHES = {"presenter": False, "quiz": False}

#: The parameters a link to the Train page may carry.
KNOWN_PARAMETERS = frozenset(FIELDS_BY_NAME) | frozenset(BOUND_SWITCHES) | OTHER_PARAMETERS


def defaults() -> dict[str, object]:
    """Return every setting's default, keyed by session-state key."""
    return {field.key: field.default for field in FIELDS}


def _shown(text: str, length: int | None = None) -> str:
    """Quote a value for a note, cut short if long; ``length`` is the uncut value's length."""
    length = len(text) if length is None else length
    text = text.replace("\n", " ")
    if length <= NOTE_VALUE_CHARACTERS:
        return f"“{text}”"
    return f"“{text[:NOTE_VALUE_CHARACTERS]}…” ({length:,} characters)"


def read_link(query: Mapping[str, str | Sequence[str]]) -> tuple[dict[str, object], list[str]]:
    """Read the settings in a URL's query parameters.

    Parameters
    ----------
    query : mapping
        Parameter name to its text, or to a list of texts when the name is repeated (the last
        one counts).

    Returns
    -------
    values : dict
        Session-state key to value, for each parameter present with a valid value.
    notes : list of str
        One sentence for each parameter that was left out, saying what was wrong and which value
        is used instead.
    """
    values: dict[str, object] = {}
    notes: list[str] = []
    for name, raw in query.items():
        texts = [raw] if isinstance(raw, str) else [str(text) for text in raw]
        if name in OTHER_PARAMETERS or not texts:
            continue
        length = len(texts[-1])
        text = texts[-1][: MAX_VALUE_CHARACTERS + 1]
        if name not in KNOWN_PARAMETERS:
            notes.append(
                f"The link's setting {_shown(name)} is unknown to Backprop Lab, so it was ignored."
            )
            continue
        if name in BOUND_SWITCHES:
            try:
                parse_switch(text)
            except LinkValueError as error:
                notes.append(f"The link's {name} value {_shown(text, length)} was ignored: {error}.")
            continue
        field = FIELDS_BY_NAME[name]
        try:
            if len(text) > MAX_VALUE_CHARACTERS:
                raise LinkValueError(f"it is longer than {MAX_VALUE_CHARACTERS} characters")
            values[field.key] = field.parse(text)
        except LinkValueError as error:
            notes.append(
                f"The link's {name} value {_shown(text, length)} cannot be used: {error}. "
                f"The lab uses the default, {field.format(field.default) or 'none'}, instead."
            )
    return values, notes


def write_link(values: Mapping[str, object]) -> tuple[dict[str, str], list[str]]:
    """Return the query parameters for ``values`` (session-state key to value).

    Settings missing from ``values`` or equal to their default are left out, so links stay
    short. A value that is not valid now (a half-typed layer list, say) is left out as well,
    and its parameter's name is returned in ``invalid``, so the caller can say that the link
    uses the default for it.

    Returns
    -------
    query : dict of str to str
        Parameter name to text. Reading it with `read_link` gives back the same values.
    invalid : list of str
        Names of the parameters left out because their value is not valid.
    """
    query: dict[str, str] = {}
    invalid: list[str] = []
    for field in FIELDS:
        if field.key not in values:
            continue
        try:
            text = field.format(values[field.key])
            value = field.parse(text)
        except (LinkValueError, TypeError, ValueError):
            invalid.append(field.name)
            continue
        if value != field.default:
            query[field.name] = field.format(value)
    return query, invalid


# --- settings files ------------------------------------------------------------------------------


def settings_for_file(values: Mapping[str, object]) -> dict[str, object]:
    """Convert each valid setting in ``values`` to a plain JSON value keyed by parameter name.

    Unlike `write_link`, defaults are kept, so the file states the whole configuration.
    Numbers stay numbers, switches become true or false, the full batch becomes null, and
    the hidden controls a list.
    """
    plain: dict[str, object] = {}
    for field in FIELDS:
        if field.key not in values:
            continue
        try:
            value = field.parse(field.format(values[field.key]))
        except (LinkValueError, TypeError, ValueError):
            continue
        if field.name == "dataset":
            value = field.format(value)
        elif isinstance(value, tuple):
            value = list(value)
        plain[field.name] = value
    return plain


def _as_link_text(value: object) -> str:
    if value is True or value is False:
        return "1" if value else "0"
    if value is None:
        return "full"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return repr(value) if isinstance(value, float) else str(value)


def settings_from_file(settings: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """Read settings written by `settings_for_file`, checking each value as `read_link` does.

    Returns the values keyed by session-state key, and notes on the ones left out, worded
    for a file.
    """
    texts = {str(name): _as_link_text(value) for name, value in settings.items()}
    values, notes = read_link(texts)
    return values, [note.replace("The link's", "The file's") for note in notes]
