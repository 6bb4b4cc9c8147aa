from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify import lifecycle, media
from imagify.generations import service
from imagify.models.generations import GenerationInput, GenerationStarted
from imagify.settings import CorsSettings, DatabaseSettings, FlowSettings, StorageSettings, WebhookSettings, require
from imagify.web import KEY_IN_FLIGHT, IdempotencyKey, answer_once, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, StorageSettings, FlowSettings, WebhookSettings)
lifecycle.prime(media.load)  # (before a SnapStart snapshot: Pillow, which its requests use)
app = resolver()


def _ref(name: str) -> str:
    """An example's uploadRef (what POST /uploads answers)."""
    return f"upload:uploads/6f1c2d3e-8a9b-4c0d-9e1f-2a3b4c5d6e7f/{name}"


PERSON = _ref("user_photo/9b2e4f60-1c2d-4e3f-8a9b-0c1d2e3f4a5b.jpg")
TOP = _ref("item_photo/41d0b2c3-4d5e-4f60-9a1b-2c3d4e5f6a7b.png")
EXAMPLES: dict[str, Any] = {
    "tryon": {
        "summary": "Try one garment on",
        "value": {"mode": "tryon", "userPhotoUrl": PERSON, "itemPhotoUrl": TOP},
    },
    "outfit": {
        "summary": "Try a whole outfit on, at the high tier, 3:4 at 2K",
        "value": {
            "mode": "tryon",
            "userPhotoUrl": PERSON,
            "garments": [
                {"photoUrl": TOP, "category": "top", "photoType": "flat-lay"},
                {
                    "photoUrl": _ref("item_photo/7a3c5d6e-2f30-4b1c-9d8e-7f6a5b4c3d2e.jpg"),
                    "category": "bottom",
                    "photoType": "on-model",
                },
                {
                    "photoUrl": _ref("item_photo/c95e0a1b-3c4d-4e5f-8a7b-6c5d4e3f2a1b.png"),
                    "category": "shoes",
                },
            ],
            "quality": "high",
            "options": {"aspectRatio": "3:4", "imageSize": "2K"},
        },
    },
    "batch": {
        "summary": "Four looks from a prompt, done within two minutes",
        "value": {
            "mode": "from_prompt",
            "prompt": "a camel trench coat over a cream knit, autumn street",
            "count": 4,
            "options": {"aspectRatio": "4:5", "style": "editorial"},
            "deadlineSeconds": 120,
        },
    },
    "edit": {
        "summary": "Edit the person's photo as described",
        "value": {"mode": "photo_text", "userPhotoUrl": PERSON, "prompt": "swap the jacket for a navy blazer"},
    },
}


@app.post(
    "/generations",
    summary="Start a generation",
    description=(
        "Checks the photos, charges the mode's tokens and starts the generation (try-on of one garment or a whole "
        "outfit, from a prompt, or a photo edited by a prompt); poll `GET /generations/{id}`. A failure is refunded "
        "once. `count` starts up to 4 looks, each its own generation (charged, run and refunded on its own), listed "
        "in `looks` and grouped by `batchId`. Takes an `Idempotency-Key`, which covers every look."
    ),
    tags=["generations"],
    responses=responses(
        202,
        "accepted; poll GET /generations/{id}",
        errors={
            402: "`insufficient_tokens`: the balance is below the cost of every look asked for; nothing was charged",
            409: KEY_IN_FLIGHT,
            429: "`too_many_in_flight`: the looks asked for would pass the plan's limit of generations running at once",
            503: (
                "`service_unavailable`: the generation could not be started (the tokens were refunded) or the "
                "database is unavailable"
            ),
        },
    ),
)
def create_generation(
    body: Annotated[GenerationInput, Body(openapi_examples=EXAMPLES)], idempotency_key: IdempotencyKey = None
) -> Response[GenerationStarted]:
    outcome = service.create(caller(app), service.Request.from_body(body.model_dump(mode="json")), idempotency_key)
    return answer_once(outcome, 202, GenerationStarted.started)


handler = api_handler(app)
