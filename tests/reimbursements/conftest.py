"""The app's tests read synthetic documents with the fixture engine unless marked ``ocr``
(tests/fixture_engine.py): they are about a document's life, not about reading it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import fixture_engine
from tests.reimbursements.workflow_helpers import Org, make_org


@pytest.fixture(autouse=True)
def fixture_ocr(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("ocr"):
        yield
        return
    with fixture_engine.installed():
        yield


@pytest.fixture
def org(db: None) -> Org:
    """A team (employee, manager), a finance user and an outsider (``make_org``)."""
    return make_org()
