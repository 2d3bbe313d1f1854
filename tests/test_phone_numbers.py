"""Phone numbers in every written form mean the same person."""

import pytest
from sqlalchemy import select

from db.people import Citizen
from db.phone_numbers import InvalidPhoneNumber, mask_phone, normalize_phone


@pytest.mark.parametrize(
    ("written", "country", "expected"),
    [
        ("+38344123111", "XK", "+38344123111"),
        ("0038344123111", "XK", "+38344123111"),
        ("044123111", "XK", "+38344123111"),
        ("044 123 111", "XK", "+38344123111"),
        ("044/123-111", "XK", "+38344123111"),
        ("+381641234567", "XK", "+381641234567"),
        ("00381641234567", "XK", "+381641234567"),
        ("0641234567", "XK", "+381641234567"),
        ("0641234567", "RS", "+381641234567"),
        ("044123111", "RS", "+38344123111"),
        ("028123456", "XK", "+38328123456"),
    ],
)
def test_normalize_phone_forms(written, country, expected):
    assert normalize_phone(written, country) == expected


@pytest.mark.parametrize("written", ["", "12", "hello", "+999"])
def test_normalize_phone_rejects_garbage(written):
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(written)


def test_mask_phone_hides_the_middle():
    assert mask_phone("+38344123111") == "+383 44 *** 111"
    assert mask_phone("+381641234567") == "+381 64 *** 567"
    assert mask_phone(None) == "-"


def test_three_forms_of_one_number_are_one_citizen(hotline):
    for written in ("+38344123111", "0038344123111", "044123111"):
        hotline.text(written, "POMOC")

    with hotline.database.session() as session:
        phones = session.scalars(select(Citizen.phone)).all()
    assert phones == ["+38344123111"]
    assert len(hotline.bodies_to("+38344123111")) == 3
