"""What a failed generation says to its user (``flow.describe``), from the error a ``Catch`` put in the state."""

import json

import pytest

from imagify.ai.images.protocol import FINISH_REASONS, REQUEST_REFUSED, UNREADABLE_IMAGE
from imagify.generations.flow import classify, describe

REFUNDED = "; your tokens were refunded"
LEAKED_KEY = "AIzaSyD3adB33fC0ffee_0123456789abcdefgh"


def _caught(name: str, message: str) -> dict[str, str]:
    cause = {"errorMessage": message, "errorType": name, "requestId": "", "stackTrace": []}
    return {"Error": name, "Cause": json.dumps(cause)}


def test_a_rejection_is_shown_only_when_it_is_one_of_our_sentences():
    # Ours: shown as raised
    shown = describe(_caught("GenerationRejected", FINISH_REASONS["SAFETY"]))
    assert shown == FINISH_REASONS["SAFETY"] + "; your tokens were refunded"
    # Anything else (say, a provider's message quoted by an older release still in flight): replaced
    leaked = f"the image model refused the request (400): API key not valid {LEAKED_KEY}"
    replaced = describe(_caught("GenerationRejected", leaked))
    assert replaced == "the image model could not produce an image for this request; your tokens were refunded"


def test_a_model_that_is_not_served_reads_as_unavailable_never_as_the_providers_404():
    shown = describe(_caught("ImageModelMisconfigured", "Gemini answered 404 for model gemini-x"))
    assert shown == "the image model is not available right now, so nothing was generated; your tokens were refunded"


@pytest.mark.parametrize("name", ["InvalidInput", "PayloadTooLarge", "UnsupportedMediaType"])
def test_an_error_about_the_request_shows_its_own_message(name: str):
    assert (
        describe(_caught(name, "the photo is not a PNG, JPEG or WebP"))
        == "the photo is not a PNG, JPEG or WebP" + REFUNDED
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("GeminiThrottled", "the image service is busy right now; please try again in a minute"),
        ("GeminiUnavailable", "the image service is unavailable right now; please try again shortly"),
        ("States.Timeout", "the generation took too long"),
    ],
)
def test_a_known_failure_reads_as_its_own_sentence_whatever_the_cause_says(name: str, message: str):
    assert describe(_caught(name, f"upstream said 503 with key {LEAKED_KEY}")) == message + REFUNDED


@pytest.mark.parametrize(
    "error",
    [
        None,
        {},
        {"Error": "KeyError", "Cause": json.dumps({"errorMessage": "'userId'"})},
        {"Error": "InvalidInput", "Cause": "not json"},
        {"Error": "InvalidInput", "Cause": json.dumps(["a", "list"])},
        {"Error": "InvalidInput", "Cause": json.dumps({"errorMessage": ""})},
    ],
    ids=["none", "empty", "unexpected", "cause-not-json", "cause-not-an-object", "empty-message"],
)
def test_anything_else_reads_as_a_generic_failure(error: dict[str, str] | None):
    assert describe(error) == "something went wrong while generating" + REFUNDED


@pytest.mark.parametrize(
    ("name", "message", "expected"),
    [
        ("GenerationRejected", FINISH_REASONS["SAFETY"], ("safety_blocked", False)),
        ("GenerationRejected", FINISH_REASONS["IMAGE_SAFETY"], ("safety_blocked", False)),
        ("GenerationRejected", FINISH_REASONS["NO_IMAGE"], ("no_image", True)),
        ("GenerationRejected", UNREADABLE_IMAGE, ("no_image", True)),
        ("GenerationRejected", REQUEST_REFUSED, ("input_unusable", False)),
        ("GenerationRejected", "words a provider wrote", ("input_unusable", False)),
        ("InvalidInput", "the photo is not a PNG, JPEG or WebP", ("input_unusable", False)),
        ("GeminiThrottled", "429", ("model_unavailable", True)),
        ("GeminiUnavailable", "503", ("model_unavailable", True)),
        ("ImageModelMisconfigured", "404", ("model_unavailable", False)),
        ("States.Timeout", "", ("timed_out", True)),
        ("DeadlinePassed", "generation 1 is past its deadline", ("timed_out", True)),
        ("Lambda.Unknown", "", ("internal", True)),
    ],
)
def test_each_failure_has_a_code_a_frontend_can_act_on(name: str, message: str, expected: tuple[str, bool]):
    assert classify(_caught(name, message)) == expected
    assert classify(None) == ("internal", True)
