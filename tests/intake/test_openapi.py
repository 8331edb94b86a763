from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_the_openapi_document_describes_the_public_api() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    submissions = doc["paths"]["/api/v1/submissions"]["post"]
    assert {"200", "201", "400", "422"} <= set(submissions["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in submissions["parameters"])
    track = doc["paths"]["/api/v1/track/{tracking_code}"]["get"]
    assert {"200", "404"} <= set(track["responses"])
    rating = doc["paths"]["/api/v1/track/{tracking_code}/rating"]["post"]
    assert {"201", "404", "409", "422"} <= set(rating["responses"])
    schemas = doc["components"]["schemas"]
    assert schemas["SubmissionIn"]["examples"]
    assert "body" in schemas["SubmissionIn"]["required"]
    assert schemas["SubmissionIn"]["properties"]["kind"]["enum"][1:] == [
        "inquiry",
        "help",
        "complaint",
        "report",
        "suggestion",
        "praise",
    ]
