from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.generations import service
from imagify.models.generations import GenerationInput, GenerationStarted
from imagify.observability import tracer
from imagify.settings import CorsSettings, DatabaseSettings, FlowSettings, StorageSettings, require
from imagify.web import KEY_IN_FLIGHT, IdempotencyKey, answer_once, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, StorageSettings, FlowSettings)
app = resolver()


@app.post(
    "/generations",
    summary="Start a generation",
    description=(
        "Checks the photos, charges the mode's tokens and starts the generation (try-on, from a prompt, or a photo "
        "edited by a prompt); poll `GET /generations/{id}`. A failure is refunded once. Takes an `Idempotency-Key`."
    ),
    tags=["generations"],
    responses=responses(
        202,
        "accepted; poll GET /generations/{id}",
        errors={
            402: "`insufficient_tokens`: the balance is below the mode's cost; nothing was charged",
            409: KEY_IN_FLIGHT,
            429: "`too_many_in_flight`: the plan's limit of generations running at once is reached",
            503: (
                "`service_unavailable`: the generation could not be started (the tokens were refunded) or the "
                "database is unavailable"
            ),
        },
    ),
)
@tracer.capture_method
def create_generation(
    body: Annotated[GenerationInput, Body()], idempotency_key: IdempotencyKey = None
) -> Response[GenerationStarted]:
    outcome = service.create(caller(app), service.Request.from_body(body.model_dump(mode="json")), idempotency_key)
    return answer_once(
        outcome,
        202,
        lambda started: GenerationStarted.started(*started.generation, balance_after=started.balance_after),
    )


handler = api_handler(app)
