from __future__ import annotations

import pytest
from django.test import Client
from django.utils.translation import gettext_lazy

from fankui.accounts.models import User
from fankui.audit import labels
from fankui.audit.models import Event
from fankui.audit.services import record_event
from tests import factories


@pytest.fixture
def extension_words() -> None:
    labels.register(
        "test_extension",
        gettext_lazy("Extension approved"),
        public=gettext_lazy("More time was granted"),
        detail=lambda e: f"until {e.data['until']}",
    )


@pytest.mark.django_db
def test_staff_and_citizen_see_the_words_an_app_registered_for_its_event(
    extension_words: None, dispatcher: User, client_for: object
) -> None:
    case = factories.case()
    record_event(case, "test_extension", actor=dispatcher, public=True, data={"until": "2026-12-01"})
    staff_page = client_for(dispatcher).get(f"/staff/cases/{case.pk}/", headers={"Accept-Language": "en"})  # type: ignore[operator]
    assert "Extension approved" in staff_page.content.decode()
    assert "until 2026-12-01" in staff_page.content.decode()
    track = Client().get(f"/track/{case.tracking_code}/", headers={"Accept-Language": "en"})
    assert "More time was granted" in track.content.decode()
    assert Event.objects.filter(action="test_extension").count() == 1
