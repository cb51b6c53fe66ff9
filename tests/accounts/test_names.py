"""A person's name from its three columns (`User.name_of`, used by API lists that read the
columns joined into their own query) is the name `str(user)` and Django's
`get_full_name()` give."""

import pytest
from django.contrib.auth import get_user_model


@pytest.mark.parametrize(("first", "last", "username", "name"), [
    ("Vera", "Lind", "vera", "Vera Lind"),
    ("Vera", "", "vera", "Vera"),
    ("", "Lind", "vera", "Lind"),
    ("", "", "vera", "vera"),
    ("  ", "", "vera", "vera"),
])
def test_a_name_from_its_columns_is_the_users_own(first, last, username, name):
    User = get_user_model()
    user = User(first_name=first, last_name=last, username=username)
    assert User.name_of(first, last, username) == name == str(user)
    assert str(user) == (user.get_full_name() or user.username)
