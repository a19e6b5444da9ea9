"""PiiMaskingFilter: no personal number reaches a log line, and logging never breaks."""

from __future__ import annotations

import ast
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from invoice_assistant.log_filters import PiiMaskingFilter

VALID_ID = "11010519491231002X"
CARD = "6217002965318407539"
PHONE = "13812345678"
SECRETS = (VALID_ID, CARD, PHONE)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose only handler carries the filter, writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(PiiMaskingFilter())
    logger = logging.getLogger(f"test.pii.{id(stream)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)


def record(msg: object, *args: object) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args or None, None)


def assert_no_secret(text: str) -> None:
    assert not [s for s in SECRETS if s in text], text


def test_pii_in_the_message_is_masked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    # when
    logger.info(f"buyer id {VALID_ID} phone {PHONE}")
    # then
    assert stream.getvalue() == "INFO buyer id **************002X phone *******5678\n"


def test_pii_in_the_arguments_is_masked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    # when
    logger.warning("card %s for %s", CARD, {"phone": PHONE})
    # then
    out = stream.getvalue()
    assert_no_secret(out)
    assert "***************7539" in out and "*******5678" in out


def test_pii_in_an_exception_is_masked_and_the_traceback_kept(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    # given / when
    try:
        raise ValueError(f"no account for id {VALID_ID}")
    except ValueError:
        logger.exception("upload failed for %s", PHONE)
    # then
    out = stream.getvalue()
    assert_no_secret(out)
    assert "Traceback (most recent call last)" in out
    assert out.count("Traceback") == 1
    assert "ValueError: no account for id **************002X" in out


def test_record_is_left_without_args_and_exc_info() -> None:
    # given
    try:
        raise RuntimeError(CARD)
    except RuntimeError:
        import sys

        rec = logging.LogRecord("t", logging.ERROR, __file__, 1, "x %s", (PHONE,), sys.exc_info())
    # when
    kept = PiiMaskingFilter().filter(rec)
    # then: formatters see only masked text and cannot re-render the traceback
    assert kept is True
    assert rec.args is None and rec.exc_info is None
    assert rec.msg == "x *******5678"
    assert rec.exc_text is not None and CARD not in rec.exc_text


def test_stack_info_is_masked() -> None:
    rec = record("x")
    rec.stack_info = f'Stack (most recent call last):\n  File "a.py", line 1, in f {PHONE}'
    PiiMaskingFilter().filter(rec)
    assert rec.stack_info is not None and PHONE not in rec.stack_info


def test_strings_in_extra_fields_are_masked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, _ = logged
    seen: list[logging.LogRecord] = []

    def keep(rec: logging.LogRecord) -> bool:
        seen.append(rec)
        return True

    logger.handlers[0].addFilter(keep)
    # when
    logger.info("saved", extra={"buyer": VALID_ID, "meta": {"cards": [CARD]}, "count": 3})
    # then
    (rec,) = seen
    assert rec.buyer == "**************002X"
    assert rec.meta == {"cards": ["***************7539"]}
    assert rec.count == 3


def test_messages_without_pii_are_unchanged(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.info("invoice %s total %s on %s", "24442000000047390615", "¥1,130.00", "2024-11-05")
    assert stream.getvalue() == "INFO invoice 24442000000047390615 total ¥1,130.00 on 2024-11-05\n"


def test_bad_format_arguments_are_still_logged_masked(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    # when: %d with a string would make logging print a "--- Logging error ---"
    logger.info("%d items for %s", "many", PHONE)
    # then
    out = stream.getvalue()
    assert out.startswith("INFO %d items for %s")
    assert_no_secret(out)


def test_an_unprintable_message_is_withheld_not_raised(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged

    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    # when
    logger.info(Unprintable())
    # then
    assert "withheld" in stream.getvalue()


def test_filter_is_idempotent() -> None:
    rec = record("id %s card %s", VALID_ID, CARD)
    PiiMaskingFilter().filter(rec)
    once = rec.msg
    PiiMaskingFilter().filter(rec)
    assert rec.msg == once


def test_caplog_handler_with_the_filter_captures_no_pii(caplog: pytest.LogCaptureFixture) -> None:
    # given: the filter on the capturing handler, as settings put it on every handler
    caplog.handler.addFilter(PiiMaskingFilter())
    logger = logging.getLogger("test.pii.caplog")
    # when
    with caplog.at_level(logging.INFO, logger="test.pii.caplog"):
        logger.info("phone %s", PHONE)
        try:
            raise KeyError(VALID_ID)
        except KeyError:
            logger.exception("lookup failed")
    # then
    assert_no_secret(caplog.text)
    assert len(caplog.records) == 2


@pytest.mark.parametrize(
    "path",
    [
        "invoice_assistant/log_filters.py",
        "extraction/pii/__init__.py",
        "extraction/pii/detect.py",
        "extraction/pii/text.py",
        "extraction/pii/image.py",
    ],
)
def test_filter_and_maskers_do_not_import_django(path: str) -> None:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.append(node.module or "")
    assert not [m for m in modules if m.split(".")[0] == "django"]


@pytest.mark.parametrize(
    "task_id",
    [
        "d1381234-5359-4a2b-8c3d-0123456789ab",  # "1381234-5359": a grouped mobile's shape
        "62220005-1234-5678-abcd-00aa00bb00cc",  # "62220005-1234-5678": a Luhn-valid card
        "5a13812345678f00abcde13912345678",  # uuid4().hex ending in a mobile's digits
    ],
)
def test_ids_that_look_like_numbers_are_never_masked(
    logged: tuple[logging.Logger, io.StringIO], task_id: str
) -> None:
    logger, stream = logged
    # Given a task id whose hex groups happen to look like a phone or card number,
    # next to a real phone number
    # When it is logged in the message and in an extra field
    seen: list[logging.LogRecord] = []

    def keep(record: logging.LogRecord) -> bool:
        seen.append(record)
        return True

    logger.handlers[0].addFilter(keep)
    logger.info("task %s succeeded for %s", task_id, PHONE, extra={"task_id": task_id})
    # Then the id is printed intact and the phone number still masked
    assert stream.getvalue() == f"INFO task {task_id} succeeded for *******5678\n"
    assert seen[0].task_id == task_id
