"""Opened cards are decoded each on its own, and each must be exactly one JSON object."""

import pytest

from archive.read.listings import decoded_card


def decoded_cards(plaintexts: list[bytes]) -> list[dict]:
    return [decoded_card(plaintext) for plaintext in plaintexts]


def test_opened_cards_decode_in_order_each_to_its_object():
    assert decoded_cards([b'{"a": 1}', "{\"t\": \"Тиха кімната\"}".encode(), b"{}"]) == [
        {"a": 1}, {"t": "Тиха кімната"}, {},
    ]


def test_no_cards_decode_to_an_empty_list():
    assert decoded_cards([]) == []


@pytest.mark.parametrize("plaintexts", [
    [b'{"a": 1}, {"b": 2}'],  # one card that would pass for two
    [b'{"a": 1}', b'[1]'],  # not an object
    [b'{"a": 1}]'],  # breaks out of the list
])
def test_a_card_that_is_not_one_object_is_refused(plaintexts):
    with pytest.raises(ValueError):
        decoded_cards(plaintexts)


@pytest.mark.parametrize("plaintexts", [
    # Two cards that together make one object, beside one card that makes two: as many
    # objects as cards, but each card's content would be shown for another work.
    [b'{"a": "', b'"}', b'{"b": 1}, {"c": 2}'],
    [b'{"a": "}', b'{"}', b'{"b": 1},{"c": 2}'],  # each begins with { and ends with }
    [b'{"a": [1', b'2]}', b'{"b": 1} ,{"c": 2}'],  # no string crosses the boundary
])
def test_cards_that_pass_for_one_another_are_refused(plaintexts):
    with pytest.raises(ValueError):
        decoded_cards(plaintexts)
