"""Helpers for driving the app with AppTest: open it on a page, read its charts back."""

from __future__ import annotations

import json
from typing import Any

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from ui.launch import APP


def app(page: str | None = None) -> AppTest:
    """The whole app (navigation included), run once, then switched to `page` if given."""
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def charts(node: Any) -> list[dict[str, Any]]:
    """Each Altair chart's Vega-Lite spec, with its data sets' rows under "rows"."""
    out = []
    for element in node.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in element.proto.datasets]
        spec["rows"] = [row for frame in frames for row in frame.to_dict("records")]
        out.append(spec)
    return out


def axis_titles(spec: dict[str, Any]) -> list[str]:
    """The x and y titles of a chart or of every layer of it."""
    layers = spec.get("layer") or [spec]
    return [
        layer["encoding"][axis]["title"]
        for layer in layers
        for axis in ("x", "y")
        if "title" in layer["encoding"].get(axis, {})
    ]
