from __future__ import annotations

import json
import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rcc import InvalidInputError
from rcc.io import output
from rcc.io.output import MANIFEST, OutputFolder, jsonable, write_frames


def write_run(path, frames: dict[str, pd.DataFrame], *, force: bool = False, sub: str = "") -> OutputFolder:
    folder = OutputFolder.prepare(path, force=force, formats=["csv"])
    write_frames(frames, folder.staging / sub, "csv")
    folder.commit({"outcome": "ok"})
    return folder


def listed(path) -> set[str]:
    return {f["path"] for f in json.loads((path / MANIFEST).read_text())["files"]}


def test_a_file_listed_by_the_previous_manifest_but_edited_since_is_not_rcc_s(tmp_path):
    write_run(tmp_path, {"metrics": pd.DataFrame({"a": [1]})})
    (tmp_path / "metrics.csv").write_text("a\n2\n")  # edited by hand: same size, other content
    with pytest.raises(InvalidInputError, match=r"1 file\(s\) rcc did not write .*metrics.csv"):
        OutputFolder.prepare(tmp_path)


def test_a_manifest_that_is_not_rcc_s_counts_as_a_foreign_file(tmp_path):
    (tmp_path / MANIFEST).write_text('{"name": "someone else"}')
    with pytest.raises(InvalidInputError, match="manifest.json"):
        OutputFolder.prepare(tmp_path)


def test_an_interrupted_write_is_marked_incomplete_and_the_next_run_cleans_it_up(tmp_path, monkeypatch):
    write_run(tmp_path, {"old": pd.DataFrame({"a": [1]})})
    folder = OutputFolder.prepare(tmp_path, formats=["csv"])
    write_frames({"new1": pd.DataFrame({"b": [1]}), "new2": pd.DataFrame({"c": [2]})}, folder.staging, "csv")
    real = os.replace
    moved = []

    def crash_on_second_table(src, dst):
        if str(src).endswith(".csv"):
            moved.append(src)
            if len(moved) == 2:
                raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", crash_on_second_table)
    with pytest.raises(OSError, match="No space"):
        folder.commit({"outcome": "ok"})
    monkeypatch.setattr(output.os, "replace", real)
    m = json.loads((tmp_path / MANIFEST).read_text())
    assert m["complete"] is False  # never looks complete
    assert {"old.csv", "new1.csv", "new2.csv"} <= {f["path"] for f in m["files"]}
    assert not (tmp_path / "old.csv").exists() and (tmp_path / "new1.csv").exists()
    folder.discard()
    # the next run owns what the interrupted one left, needs no force, and leaves only its own files
    write_run(tmp_path, {"next": pd.DataFrame({"d": [3]})})
    assert {p.name for p in tmp_path.iterdir()} == {MANIFEST, "next.csv"}
    assert listed(tmp_path) == {"next.csv"}


def test_scratch_left_by_a_killed_run_is_removed_and_not_taken_for_foreign(tmp_path):
    write_run(tmp_path, {"t": pd.DataFrame({"a": [1]})})
    killed = tmp_path / ".rcc-staging-killed"
    (killed / "sub").mkdir(parents=True)
    (killed / "sub" / "half.csv").write_text("a\n")
    write_run(tmp_path, {"t": pd.DataFrame({"a": [2]})})
    assert not killed.exists() and {p.name for p in tmp_path.iterdir()} == {MANIFEST, "t.csv"}


def test_subfolders_rcc_emptied_are_removed_but_a_user_s_empty_folder_is_kept(tmp_path):
    (tmp_path / "mine").mkdir()
    write_run(tmp_path, {"t": pd.DataFrame({"a": [1]})}, sub="greedy/deep")
    write_run(tmp_path, {"t": pd.DataFrame({"a": [1]})})
    assert {p.name for p in tmp_path.iterdir()} == {MANIFEST, "t.csv", "mine"}


def test_discard_removes_the_staging_folder(tmp_path):
    folder = OutputFolder.prepare(tmp_path)
    write_frames({"t": pd.DataFrame({"a": [1]})}, folder.staging, "csv")
    folder.discard()
    folder.discard()
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_table_format_is_an_error(tmp_path):
    with pytest.raises(InvalidInputError, match="'csv' or 'parquet'"):
        write_frames({"t": pd.DataFrame({"a": [1]})}, tmp_path, "xls")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=10,
    )
)
def test_jsonable_gives_strict_json_and_keeps_every_float(value):
    text = json.dumps(jsonable(value), allow_nan=False)  # raises on nan/inf: they must have become strings
    back = json.loads(text)

    def same(a, b):
        if isinstance(a, float) and not math.isfinite(a):
            return b == str(a)
        if isinstance(a, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        return a == b

    assert same(value, back)


def test_jsonable_converts_numpy_scalars():
    assert jsonable({"n": np.int64(3), "x": np.float64(np.inf), "b": np.bool_(True)}) == {"n": 3, "x": "inf", "b": True}
