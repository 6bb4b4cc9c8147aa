"""The instruction each mode sends to the image model (saved verbatim in ``ai_prompt_used``)."""

import pytest

from imagify.generations.instructions import instruction


def test_a_prompt_only_generation_asks_for_a_full_body_studio_shot_of_the_prompt():
    text = instruction("from_prompt", "a red wool coat")

    assert text.startswith("Create one photorealistic fashion image of this look")
    assert text.endswith(": a red wool coat")


def test_a_photo_edit_keeps_the_person_and_ends_with_the_description():
    text = instruction("photo_text", "make the jacket blue")

    assert "keeping their face, body, pose and the background unchanged" in text
    assert text.endswith("Description: make the jacket blue")


def test_a_tryon_without_a_prompt_is_the_fitting_room_instruction_alone():
    text = instruction("tryon", None)

    assert text.startswith("You are a virtual fitting room.")
    assert "Also:" not in text


def test_a_tryon_with_a_prompt_adds_it_after_the_fitting_room_instruction():
    assert instruction("tryon", "tuck the shirt in") == instruction("tryon", None) + " Also: tuck the shirt in"


def test_style_and_aspect_ratio_are_appended_in_that_order():
    plain = instruction("from_prompt", "a coat")

    text = instruction("from_prompt", "a coat", aspect_ratio="3:4", style="film noir")

    assert text == plain + " Style: film noir. Aspect ratio 3:4."


def test_empty_style_and_aspect_ratio_add_nothing():
    assert instruction("photo_text", "x", aspect_ratio="", style="") == instruction("photo_text", "x")


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown mode sketch"):
        instruction("sketch", "a coat")


def test_an_outfit_names_each_garment_image_what_it_is_and_where_it_goes():
    text = instruction("tryon", "roll the sleeves", garments=[("one-piece", "on-model"), ("outerwear", None)])

    assert "the 2 images after it are the garments of one outfit" in text
    assert "The second image is a one-piece: it covers the upper and lower body (photographed worn by someone" in text
    assert "The third image is outerwear: layer it over the other garments." in text
    assert text.endswith(" Also: roll the sleeves")


def test_one_garment_of_no_given_kind_is_the_fitting_room_instruction_and_one_of_a_given_kind_is_described():
    assert instruction("tryon", None, garments=[(None, None)]) == instruction("tryon", None)
    assert "The second image is a pair of shoes" in instruction("tryon", None, garments=[("shoes", "auto")])
