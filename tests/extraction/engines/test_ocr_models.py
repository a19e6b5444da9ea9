"""Both OCR model generations: read from the files inside their wheels, never downloaded."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extraction.engines import ocr
from extraction.engines.base import EngineContext
from extraction.engines.ocr import OcrEngine

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, 44)


def _line_page(text: str) -> Image.Image:
    page = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(page).text((40, 70), text, fill="black", font=_font())
    return page


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt fails loudly (RapidOCR downloads with requests)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the OCR engine opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("model", ocr.OCR_MODELS)
def test_each_model_is_built_from_its_wheel_without_the_network(
    model: str, no_network: None
) -> None:
    # given no network / when a model generation's stages are built from scratch
    backend = ocr._build_v6(1) if model == "v6" else ocr._build_v4(1)
    # then they read a printed line
    page = _line_page("TOTAL RM 37.95  价税合计")
    bgr = np.ascontiguousarray(np.asarray(page)[:, :, ::-1])
    boxes = backend.det(bgr)
    assert boxes is not None
    texts = [text for text, *_ in backend.rec(backend.crop(bgr, backend.sort(boxes)))]
    assert any("37.95" in text for text in texts)


def test_the_engine_names_its_model_in_every_version_string() -> None:
    # given an engine configured for each model
    for model, expected in (("v6", "PP-OCRv6"), ("v4", "PP-OCRv4")):
        ctx = EngineContext(ocr_threads=1, ocr_model=model)
        # when asked for its versions / then the model generation and package are named,
        # so cached results of one model are never served for the other
        assert expected in OcrEngine(ctx).version
        assert ocr._PACKAGES[model] in OcrEngine.static_version(ctx)
    assert OcrEngine.static_version(EngineContext(ocr_model="v6")) != OcrEngine.static_version(
        EngineContext(ocr_model="v4")
    )


def test_an_unknown_model_is_refused_by_name() -> None:
    # given a misspelt model / when its stages are asked for / then the error names the choices
    with pytest.raises(ValueError, match="v6, v4"):
        ocr.rapidocr(1, "v5")


@pytest.mark.parametrize("model", ocr.OCR_MODELS)
def test_only_the_detector_runs_without_a_memory_arena(model: str) -> None:
    # given a model's stages as the engine builds them
    sessions = ocr.rapidocr(1, model).sessions
    # when their onnxruntime options are read / then the detector has no arena (issue 18:
    # an arena keeps a huge page's tensors for the life of the worker), the 48 px crop
    # stages keep theirs (faster on many differently sized crops)
    arena = {stage: s.get_session_options().enable_cpu_mem_arena for stage, s in sessions.items()}
    assert arena == {"det": False, "cls": True, "rec": True}


def _read_line(model: str, text: str) -> list[Any]:
    backend = ocr.rapidocr(1, model)
    bgr = np.ascontiguousarray(np.asarray(_line_page(text))[:, :, ::-1])
    boxes = backend.det(bgr)
    assert boxes is not None
    return backend.rec(backend.crop(bgr, backend.sort(boxes)))


def test_v6_gives_each_characters_probability_with_its_text() -> None:
    # given a printed line / when PP-OCRv6 reads it
    readings = _read_line("v6", "TOTAL RM 37.95")
    # then every reading has one probability per character, each a probability, and the
    # line's score is their mean
    for text, score, chars in readings:
        assert chars is not None
        assert len(chars) == len(text)
        assert all(0.0 < p <= 1.0 for p in chars)
        assert abs(sum(chars) / len(chars) - score) < 1e-3


def test_v4_cannot_tell_each_characters_probability() -> None:
    # given a printed line / when PP-OCRv4 reads it / then no character probabilities
    readings = _read_line("v4", "TOTAL RM 37.95")
    assert readings
    assert all(chars is None for _, _, chars in readings)


def test_a_reading_whose_probabilities_do_not_pair_with_its_characters_has_none() -> None:
    # given a decoder word result with fewer probabilities than characters (or an empty
    # text, for which RapidOCR reports one probability of 0)
    class Word:
        confs = [0.9, 0.8]

    # when it is turned into character scores / then they are not guessed
    assert ocr._char_scores("abc", Word()) is None
    assert ocr._char_scores("", Word()) is None
    assert ocr._char_scores("ab", Word()) == (0.9, 0.8)


def test_v6_pads_crops_only_to_its_minimum_recogniser_width() -> None:
    # given the v6 stages as the engine builds them
    recogniser = next(
        cell.cell_contents
        for cell in ocr.rapidocr(1, "v6").rec.__closure__ or ()
        if type(cell.cell_contents).__name__ == "TextRecognizer"
    )
    # when its input shape is read / then short crops are padded to REC_MIN_WIDTH, narrower
    # than RapidOCR's own default shape (read from its packaged config)
    shape = list(recogniser.rec_image_shape)
    assert shape == [3, 48, ocr.REC_MIN_WIDTH]
    assert shape[2] < _rapidocr_default("Rec", "rec_img_shape")[2]


def _rapidocr_default(stage: str, key: str) -> Any:
    import rapidocr
    from omegaconf import DictConfig, OmegaConf

    config = OmegaConf.load(Path(rapidocr.__file__).parent / "config.yaml")
    assert isinstance(config, DictConfig)
    return config[stage][key]


def _detector_inputs(page: Image.Image) -> dict[str, tuple[int, ...]]:
    """(height, width) of the copy each model's detector is given, having found the
    page's printed line where it was drawn (from x = 100 px, less the box margin)."""
    bgr = np.ascontiguousarray(np.asarray(page)[:, :, ::-1])
    seen: dict[str, tuple[int, ...]] = {}
    for model in ocr.OCR_MODELS:
        backend = ocr.rapidocr(1, model)

        def det(image: np.ndarray, model: str = model, backend: ocr.Backend = backend) -> Any:
            seen[model] = image.shape[:2]
            return backend.det(image)

        boxes = OcrEngine._detect(replace(backend, det=det), bgr)
        assert boxes is not None
        assert any(80 < min(box[:, 0]) < 130 for box in boxes)
    return seen


def _printed(width: int, height: int) -> Image.Image:
    page = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(page).text((100, height // 2), "TOTAL RM 37.95", fill="black", font=_font())
    return page


def test_v6_shrinks_a_long_receipt_partway_down_to_its_shortest_side() -> None:
    # given a long receipt, which either model's longest side would make too narrow
    page = _printed(900, 2000)
    # when each model's engine detects its text / then v6 shrinks it only until its short
    # side is the detector's 736 (which it would otherwise enlarge to), v4 keeps it whole
    assert _detector_inputs(page) == {"v6": (1636, 736), "v4": (2000, 900)}
    assert ocr.DET_SIDES["v6"].shortest == _rapidocr_default("Det", "limit_side_len")
