"""The ``extract`` CLI gives one line per document of a photo showing several."""

from __future__ import annotations

import io
import json
from pathlib import Path

from extraction import cli
from extraction.engines.base import EngineContext
from synth import generate_document
from synth.table import generate_table_photo


def _run(paths: list[str]) -> tuple[int, list[dict[str, object]]]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.run(paths, "ocr", EngineContext(ocr_threads=1), out, err, jsonl=True)
    return status, [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_line_per_part_with_its_number_region_and_total(tmp_path: Path) -> None:
    # Given a photo of two documents side by side on a table, and a single document
    shot = generate_table_photo(seed=4, count=2)
    table = tmp_path / "table.jpg"
    table.write_bytes(shot.jpeg)
    single = generate_document("taxi_receipt", seed=2, photo=True)
    one = tmp_path / "one.jpg"
    one.write_bytes(single.image_bytes)
    # When the CLI reads both
    status, records = _run([str(table), str(one)])
    # Then the photo gives one line per part (with part and region besides the usual
    # keys), the single document one line without them
    assert status == 0
    first, second, third = records
    assert [first["part"], second["part"]] == [1, 2]
    for record, truth in ((first, shot.parts[0]), (second, shot.parts[1])):
        assert record["file"] == str(table)
        region = record["region"]
        assert isinstance(region, list) and len(region) == 4
        x0, y0, x1, y1 = truth.box
        assert abs(region[0] - x0) < 25 and abs(region[2] - x1) < 25
        assert abs(region[1] - y0) < 25 and abs(region[3] - y1) < 25
        fields = record["fields"]
        assert isinstance(fields, dict)
        assert fields["total_amount"] == truth.truth["fields"]["total_amount"]
        assert {"document_type", "sources", "confidence", "warnings", "engine"} <= set(record)
    assert third["file"] == str(one)
    assert "part" not in third and "region" not in third
