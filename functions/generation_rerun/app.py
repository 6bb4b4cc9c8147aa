from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify import lifecycle, media
from imagify.generations import service
from imagify.models.generations import GenerationStarted, RerunInput
from imagify.settings import CorsSettings, DatabaseSettings, FlowSettings, StorageSettings, require
from imagify.web import KEY_IN_FLIGHT, NOT_FOUND, IdempotencyKey, answer_once, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, StorageSettings, FlowSettings)
lifecycle.prime(media.load)  # (before a SnapStart snapshot: Pillow, which its requests use)
app = resolver()


@app.post(
    "/generations/<generation_id>/rerun",
    summary="Run a generation again",
    description=(
        "Starts a new generation with the inputs of one of the caller's (mode, prompt, photos, quality, options), "
        "optionally at another quality or with other options, charged as a new generation. Uploaded photos must "
        "still be there (uploads are kept an hour): an expired one is a 422. Takes an `Idempotency-Key`."
    ),
    tags=["generations"],
    responses=responses(
        202,
        "the new generation, started; poll GET /generations/{id}",
        errors={
            402: "`insufficient_tokens`: the balance is below the cost; nothing was charged",
            404: NOT_FOUND,
            409: KEY_IN_FLIGHT,
            429: "`too_many_in_flight`: the plan's limit of generations running at once is reached",
            503: (
                "`service_unavailable`: the generation could not be started (the tokens were refunded) or the "
                "database is unavailable"
            ),
        },
    ),
)
def rerun_generation(
    generation_id: Annotated[UUID, Path()],
    body: Annotated[RerunInput | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[GenerationStarted]:
    options = body.options if body else None
    outcome = service.rerun(
        caller(app),
        generation_id,
        body.quality if body else None,
        None if options is None else service.Options(options.aspect_ratio, options.image_size, options.style),
        idempotency_key,
    )
    return answer_once(outcome, 202, GenerationStarted.started)


handler = api_handler(app)
