"""People: added by the back office before their first sign-in, matched on it by
email and then keyed on sub; hidden when they left."""

from typing import Any

import pytest
import requests
from django.test import Client
from django.urls import reverse

from relaydash.accounts.audit import Operation
from relaydash.accounts.models import AuditEntry, Profile
from relaydash.accounts.permissions import Role
from relaydash.accounts.selectors import people_field
from relaydash.dispatch.views import PERSON_EXISTS
from tests.sso_fixtures import role_groups_for


@pytest.mark.django_db(transaction=True)
def test_an_added_person_is_matched_on_first_sign_in(
    client_as: Any, sso_login_requests: Any, live_server: Any
) -> None:
    office = client_as(Role.BACKOFFICE)
    response = office.post(
        reverse("dispatch:people"), {"email": "Jana.Feld@example.com", "name": "Jana Feld"}
    )
    assert response.status_code == 302
    added = Profile.objects.get(user__email="Jana.Feld@example.com")
    assert added.sub is None
    assert added in people_field()  # plannable before the first sign-in
    assert AuditEntry.objects.filter(operation=Operation.ADD_PERSON, target_id=str(added.user_id)).exists()

    again = office.post(reverse("dispatch:people"), {"email": "jana.feld@example.com", "name": "Jana"})
    assert again.status_code == 400
    assert str(PERSON_EXISTS) in again.content.decode()

    landed = sso_login_requests(
        requests.Session(), role_groups=role_groups_for(Role.FIELD), email="jana.feld@example.com"
    )
    assert landed.status_code == 200
    assert landed.url.endswith(reverse("dispatch:my_day"))
    profile = Profile.objects.get(user_id=added.user_id)
    assert profile.sub == "jana.feld@example.com"
    assert profile.role == Role.FIELD
    assert Profile.objects.count() == 2  # the office user and Jana: no second Jana


@pytest.mark.django_db
def test_hiding_a_person_takes_them_off_planning(client_as: Any, make_user: Any) -> None:
    office: Client = client_as(Role.BACKOFFICE)
    anna = make_user(Role.FIELD, username="anna")
    office.post(reverse("dispatch:person_hidden", args=[anna.pk]), {"hidden": "1"})
    assert not people_field().filter(user=anna).exists()
    page = office.get(reverse("dispatch:people")).content.decode()
    assert "Show again" in page
    office.post(reverse("dispatch:person_hidden", args=[anna.pk]), {"hidden": "0"})
    assert people_field().filter(user=anna).exists()


@pytest.mark.django_db
def test_field_staff_cannot_manage_people(client_as: Any) -> None:
    field = client_as(Role.FIELD)
    assert field.get(reverse("dispatch:people")).status_code == 403
