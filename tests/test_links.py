"""Tests for the settings carried in links: every bad value falls back with a note."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_core.datasets import make_regression
from backprop_core.links import (
    BOUND_SWITCHES,
    CONTROL_GROUPS,
    FIELDS,
    FIELDS_BY_NAME,
    LEARNING_RATE_OPTIONS,
    MAX_VALUE_CHARACTERS,
    defaults,
    nearest_rate_option,
    read_link,
    settings_for_file,
    settings_from_file,
    write_link,
)
from backprop_core.session import NetworkSettings, TrainingSession

A_LESSON = {
    "dataset": "sine",
    "points": "80",
    "noise": "0.15",
    "seed": "7",
    "hidden": "8,8",
    "activation": "relu",
    "output": "sigmoid",
    "init": "he",
    "standardize": "0",
    "scale_targets": "1",
    "lr": "0.1",
    "batch": "16",
    "shuffle": "0",
    "steps": "250",
    "per_update": "5",
    "hide": "data,network",
}


def test_read_link_full_lesson():
    values, notes = read_link(A_LESSON)
    assert notes == []
    assert values == {
        "dataset": "generated:sine",
        "n_points": 80,
        "noise": 0.15,
        "seed": 7,
        "hidden_text": "8,8",
        "hidden_activation": "relu",
        "output_activation": "sigmoid",
        "init": "he",
        "standardize": False,
        "scale_targets": True,
        "lr_exact": 0.1,
        "batch": 16,
        "shuffle": False,
        "n_steps": 250,
        "steps_per_update": 5,
        "hidden_groups": ("data", "network"),
    }


def test_link_round_trip():
    values, _ = read_link(A_LESSON)
    query, invalid = write_link(values)
    assert invalid == []
    assert query == A_LESSON
    assert read_link(query)[0] == values


def test_write_link_leaves_out_defaults():
    query, invalid = write_link(defaults())
    assert query == {}, "a link of defaults should be empty"
    assert invalid == []


def test_read_link_empty():
    assert read_link({}) == ({}, [])


def test_field_defaults_round_trip():
    for field in FIELDS:
        assert field.parse(field.format(field.default)) == field.default, field.name


@pytest.mark.parametrize(
    ("name", "text", "expected_in_note"),
    [
        ("points", "4", "from 5 to 500"),
        ("points", "ten", "whole number"),
        ("points", "1e9", "whole number"),
        ("noise", "-0.1", "from 0 to 1"),
        ("noise", "nan", "from 0 to 1"),
        ("seed", "-1", "from 0 to 4,294,967,295"),
        ("seed", "1.5", "whole number"),
        ("hidden", "8,0", "layer sizes from 1 to 32"),
        ("hidden", "1,2,3,4,5,6,7", "0 to 6 layer sizes"),
        ("hidden", "9" * 40, "layer sizes"),
        ("hidden", "8;8", "separated by commas"),
        ("activation", "softmax", "one of sigmoid"),
        ("output", "__import__('os')", "one of sigmoid"),
        ("init", "glorot", "one of auto"),
        ("standardize", "maybe", "1 (on) or 0 (off)"),
        ("lr", "0", "above 0"),
        ("lr", "-0.1", "above 0"),
        ("lr", "inf", "above 0"),
        ("lr", "1e400", "above 0"),
        ("lr", "fast", "number"),
        ("batch", "0", "full or a whole number"),
        ("batch", "all", "full or a whole number"),
        ("steps", "100001", "from 1 to 100,000"),
        ("per_update", "0", "from 1 to 1,000"),
        ("dataset", "mnist", "one of tiny"),
        ("dataset", "upload", "cannot travel in a link"),
        ("hide", "everything", "lists controls from data, network, training"),
    ],
)
def test_read_link_bad_value_noted(name, text, expected_in_note):
    companion, companion_text, companion_value = ("seed", "3", 3) if name != "seed" else ("steps", "7", 7)
    values, notes = read_link({name: text, companion: companion_text})
    field = FIELDS_BY_NAME[name]
    assert field.key not in values, f"the bad {name} value should be left out"
    assert values == {FIELDS_BY_NAME[companion].key: companion_value}, "good values beside it are read"
    assert len(notes) == 1
    assert expected_in_note in notes[0], notes[0]
    assert f"The link's {name} value" in notes[0]
    assert "default" in notes[0]


def test_read_link_unknown_key_noted():
    values, notes = read_link({"colour": "red", "seed": "2"})
    assert values == {"seed": 2}
    assert notes == ["The link's setting “colour” is unknown to Backprop Lab, so it was ignored."]


def test_read_link_other_parameters_ignored():
    values, notes = read_link({"embed": "true", "embed_options": "light_theme", "setup": "abc"})
    assert values == {}
    assert notes == []


def test_read_link_bound_switches_checked():
    values, notes = read_link({"presenter": "1", "quiz": "true"})
    assert values == {}
    assert notes == []
    values, notes = read_link({"presenter": "loud"})
    assert values == {}
    assert notes == ["The link's presenter value “loud” was ignored: it must be 1 (on) or 0 (off)."]
    assert set(BOUND_SWITCHES) == {"presenter", "quiz"}


def test_read_link_huge_value_cut_short():
    text = "8," * 50_000
    values, notes = read_link({"hidden": text})
    assert values == {}
    assert f"longer than {MAX_VALUE_CHARACTERS} characters" in notes[0]
    assert f"({len(text):,} characters)" in notes[0]
    assert len(notes[0]) < 300, "the note should not repeat the whole value"


def test_read_link_repeated_key_uses_last():
    values, notes = read_link({"seed": ["1", "2"]})
    assert values == {"seed": 2}
    assert notes == []


def test_parse_switch_spellings():
    for text in ("1", "true", "TRUE", "yes", "on"):
        assert read_link({"shuffle": text})[0] == {"shuffle": True}, text
    for text in ("0", "false", "No", "off"):
        assert read_link({"shuffle": text})[0] == {"shuffle": False}, text


def test_read_link_batch_and_layer_spellings():
    assert read_link({"batch": "FULL"})[0] == {"batch": None}
    assert read_link({"hidden": ""})[0] == {"hidden_text": ""}, "an empty list means no hidden layer"
    assert read_link({"hidden": "8 8"})[0] == {"hidden_text": "8,8"}
    assert read_link({"hide": "training,data"})[0] == {"hidden_groups": ("data", "training")}


def test_write_link_names_invalid_values():
    query, invalid = write_link({"hidden_text": "8,x", "seed": 5, "lr_exact": -1.0})
    assert query == {"seed": "5"}
    assert invalid == ["hidden", "lr"]


def test_write_link_normalises_layers():
    query, _ = write_link({"hidden_text": " 8,  8 "})
    assert query == {"hidden": "8,8"}
    query, _ = write_link({"hidden_text": "3"})
    assert query == {}, "“3” is the default layer list"


@given(st.floats(min_value=1e-12, max_value=1000.0, allow_nan=False, allow_infinity=False))
def test_link_keeps_learning_rate_exactly(rate):
    query, _ = write_link({"lr_exact": rate})
    assert read_link(query)[0].get("lr_exact", defaults()["lr_exact"]) == rate


@given(st.floats(min_value=0.0, max_value=1.0, allow_nan=False))
def test_link_keeps_noise_exactly(noise):
    query, _ = write_link({"noise": noise})
    assert read_link(query)[0].get("noise", defaults()["noise"]) == noise


@given(st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=8))
def test_read_link_any_query(query):
    values, notes = read_link(query)
    assert isinstance(values, dict)
    assert all(isinstance(note, str) and note for note in notes)
    assert set(values) <= {field.key for field in FIELDS}


@given(st.sampled_from([field.name for field in FIELDS]), st.text(max_size=60))
def test_read_link_any_text_read_or_noted(name, text):
    values, notes = read_link({name: text})
    assert (FIELDS_BY_NAME[name].key in values) != bool(notes)


def test_link_reproduces_run_exactly():
    def build(query):
        values, _ = read_link(query)
        settings = {**defaults(), **values}
        kind = settings["dataset"].split(":")[1]
        data = make_regression(kind, settings["n_points"], settings["noise"], settings["seed"])
        network = NetworkSettings(
            hidden_sizes=tuple(int(size) for size in settings["hidden_text"].split(",")),
            hidden_activation=settings["hidden_activation"],
            seed=settings["seed"],
        )
        session = TrainingSession(data, network, learning_rate=settings["lr_exact"])
        session.run(10)
        return data, session

    query, _ = write_link(read_link(A_LESSON | {"activation": "tanh", "output": "linear"})[0])
    first_data, first = build(query)
    second_data, second = build(dict(query))
    np.testing.assert_array_equal(first_data.X, second_data.X, err_msg="inputs")
    np.testing.assert_array_equal(first_data.y, second_data.y, err_msg="targets")
    np.testing.assert_array_equal(
        first.initial_network.parameters_vector(),
        second.initial_network.parameters_vector(),
        err_msg="initial weights",
    )
    np.testing.assert_array_equal(
        first.trainer.history.costs, second.trainer.history.costs, err_msg="first 10 costs"
    )


def test_settings_file_round_trip():
    values, _ = read_link(A_LESSON)
    plain = settings_for_file({**defaults(), **values})
    assert plain["dataset"] == "sine"
    assert plain["lr"] == 0.1
    assert plain["standardize"] is False
    assert plain["hide"] == ["data", "network"]
    assert set(plain) == {field.name for field in FIELDS}
    back, notes = settings_from_file(plain)
    assert notes == []
    assert back == {**defaults(), **values}


def test_settings_file_notes_name_file():
    values, notes = settings_from_file({"points": 9999, "seed": 4})
    assert values == {"seed": 4}
    assert notes[0].startswith("The file's points value")


def test_settings_file_full_batch_null():
    assert settings_for_file({"batch": None}) == {"batch": None}
    assert settings_from_file({"batch": None})[0] == {"batch": None}


def test_nearest_rate_option():
    assert nearest_rate_option(0.05) == 0.05
    assert nearest_rate_option(0.04) == 0.05
    assert nearest_rate_option(0.0001) == 0.0001
    assert nearest_rate_option(1e-9) == LEARNING_RATE_OPTIONS[0]
    assert nearest_rate_option(500.0) == 10.0


def test_control_groups_match_sidebar():
    assert list(CONTROL_GROUPS) == ["data", "network", "training"]
