"""Lists answer the page size the client asks for (issue 19: limit=1 returned more)."""

from __future__ import annotations

import pytest

from tests.reimbursements.workflow_helpers import client_for, make_claim, make_document


def test_limit_one_lists_one_document(org):
    # Given three documents
    for _ in range(3):
        make_document(org.employee)
    # When the owner lists them one per page
    body = client_for(org.employee).get("/api/v1/documents/", {"limit": 1}).json()
    # Then one comes back, the count says three, and a next page is linked
    assert len(body["results"]) == 1
    assert body["count"] == 3 and body["next"]


def test_limit_one_lists_one_claim(org):
    # Given three claims
    for _ in range(3):
        make_claim(org.employee)
    # When the owner lists them with limit=1 and with page_size=2
    client = client_for(org.employee)
    one = client.get("/api/v1/claims/", {"limit": 1}).json()
    two = client.get("/api/v1/claims/", {"page_size": 2}).json()
    # Then each page holds what was asked for
    assert (len(one["results"]), len(two["results"])) == (1, 2)


@pytest.mark.parametrize("value", ["0", "abc", "201", "-1"])
def test_a_limit_out_of_range_is_a_400_naming_it(org, value):
    # When a list is asked for with a size it cannot answer
    response = client_for(org.employee).get("/api/v1/documents/", {"limit": value})
    # Then the answer says which parameter is wrong instead of silently sending 50
    assert response.status_code == 400
    assert "limit" in response.json()["error"]["details"]["fields"]
