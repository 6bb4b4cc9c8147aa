"""Drawing the generation prompt out of the advisor's answer: defensive, never a failure."""

from __future__ import annotations

import pytest

from imagify.ai.advice.protocol import MAX_PROMPT_CHARS, split_answer

PROMPT = "A photorealistic full-body photograph of a person in a camel wool coat over a cream knit, soft daylight."


def test_the_tagged_prompt_is_taken_out_of_the_advice():
    # Given advice that ends with the tagged prompt
    text = f"## Try this\n\n- a camel coat\n- a cream knit\n\n<generation_prompt>\n{PROMPT}\n</generation_prompt>\n"

    # When it is split
    advice, prompt = split_answer(text)

    # Then the prompt is the tag's content and the advice is the rest, without the tags
    assert prompt == PROMPT
    assert advice == "## Try this\n\n- a camel coat\n- a cream knit"
    assert "generation_prompt" not in advice


def test_the_tags_are_matched_whatever_their_case_and_wherever_they_are():
    advice, prompt = split_answer(f"Before.\n<GENERATION_PROMPT>{PROMPT}</Generation_Prompt>\nAfter.")
    assert prompt == PROMPT
    assert advice == "Before.\n\nAfter."


def test_an_unclosed_tag_takes_the_rest_of_the_answer():
    # Given an answer cut off (max tokens) before the closing tag
    advice, prompt = split_answer(f"Wear the coat.\n<generation_prompt>{PROMPT}")

    # Then the prompt is everything after the opening tag
    assert prompt == PROMPT
    assert advice == "Wear the coat."


def test_without_tags_the_last_fenced_block_is_the_prompt():
    # Given an answer that put its prompts in code fences instead of the tags
    text = f"Advice.\n\n```text\nan early draft of a prompt\n```\n\nMore advice.\n\n```prompt\n{PROMPT}\n```\n"

    # Then the last fenced block is the prompt, and only it leaves the advice
    advice, prompt = split_answer(text)
    assert prompt == PROMPT
    assert "an early draft of a prompt" in advice
    assert PROMPT not in advice
    assert advice.endswith("More advice.")


def test_an_unlabelled_fence_counts_too():
    assert split_answer(f"Advice.\n```\n{PROMPT}\n```")[1] == PROMPT


def test_markdown_quotes_and_whitespace_are_cleaned_from_the_prompt():
    messy = f'<generation_prompt>\n  **"{PROMPT[:40]}**\n\n  `{PROMPT[40:]}`"  \n</generation_prompt>'
    _, prompt = split_answer("Advice. " + messy)
    # (the emphasis, backticks, quotes and line breaks inside are gone; words keep one space between them)
    assert prompt == PROMPT


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Just advice: wear the blue suit to the wedding.", "Just advice: wear the blue suit to the wedding."),
        ("", ""),
        ("   \n  ", ""),
        ("Random junk }{][ <<<>>> &&& 12345\n", "Random junk }{][ <<<>>> &&& 12345"),
        # junk or nothing inside the tags: no prompt, and (nothing else being there) the whole answer is shown
        ("<generation_prompt>***___###</generation_prompt>", "<generation_prompt>***___###</generation_prompt>"),
        ("<generation_prompt></generation_prompt>", "<generation_prompt></generation_prompt>"),
        # shorter than MIN_PROMPT_CHARS once cleaned: no prompt, the advice without the tag block
        ("Advice.\n<generation_prompt> **a hat** </generation_prompt>", "Advice."),
        ("Advice.\n```\nshort\n```", "Advice."),
    ],
    ids=["no-prompt", "empty", "blank", "junk", "junk-in-tags", "empty-tags", "too-short-tag", "too-short-fence"],
)
def test_without_a_usable_prompt_the_prompt_is_none_and_the_advice_kept(text: str, shown: str):
    assert split_answer(text) == (shown, None)


def test_an_answer_that_is_only_the_prompt_keeps_the_whole_text_as_advice():
    # (a tagged prompt alone would leave nothing to show; the whole answer is shown instead)
    text = f"<generation_prompt>{PROMPT}</generation_prompt>"
    assert split_answer(text) == (text, PROMPT)


def test_a_very_long_prompt_is_cut_to_the_maximum():
    _, prompt = split_answer("Advice.\n<generation_prompt>" + "a linen suit " * 400 + "</generation_prompt>")
    assert prompt is not None
    assert len(prompt) == MAX_PROMPT_CHARS
    assert prompt.startswith("a linen suit a linen suit")
