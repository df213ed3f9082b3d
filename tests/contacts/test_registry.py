"""KvK and KBO numbers: accepted as people type them, stored as digits, shown as registered."""

import pytest
from flask_babel import force_locale

from survey.contacts.registry import (
    RegistryNumberError,
    format_registry_number,
    normalise_registry_number,
)


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("12345678", "12345678"),
        (" 1234 5678 ", "12345678"),
        ("0123456749", "0123456749"),
        ("0123.456.749", "0123456749"),
        ("BE 0123 456 749", "0123456749"),
        ("be0123.456.749", "0123456749"),
        ("0123-456-749", "0123456749"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_kvk_and_kbo_numbers_are_stored_as_digits(typed, stored):
    assert normalise_registry_number(typed) == stored


@pytest.mark.parametrize(
    "typed, says",
    [
        ("123.456.749", "9 digits"),  # the old Belgian way, without the leading 0
        ("0123456748", "check digits"),  # one typing error
        ("2123456749", "start with 0 or 1"),
        ("1234567", "7 digits"),
        ("123456789012", "12 digits"),
        ("BE 12345678", "a KBO number has 10 digits"),  # a KvK number is not Belgian
        ("BE 123.456.749", "9 digits"),
        ("KvK 12345678", "not a registry number"),
        ("1234567a", "not a registry number"),
        ("١٢٣٤٥٦٧٨", "not a registry number"),  # digits, but not the ones registers use
    ],
)
def test_a_wrong_number_is_refused_with_the_reason(ctx, typed, says):
    with pytest.raises(RegistryNumberError) as refused:
        normalise_registry_number(typed)
    with force_locale("en"):
        assert says in str(refused.value.args[0])


def test_a_kbo_number_with_valid_check_digits_starting_with_1_is_accepted():
    number = "1" + "2345678"
    check = 97 - int(number) % 97
    assert normalise_registry_number(f"{number}{check:02d}") == f"{number}{check:02d}"


def test_numbers_are_shown_as_each_register_writes_them():
    assert format_registry_number("12345678") == "12345678"
    assert format_registry_number("0123456749") == "0123.456.749"
    assert format_registry_number(None) == ""
