from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.advisor import service
from imagify.generations import service as generations
from imagify.models.advisor import AdvisorGenerateInput
from imagify.models.generations import GenerationInput, GenerationStarted
from imagify.settings import CorsSettings, DatabaseSettings, FlowSettings, StorageSettings, require
from imagify.web import NOT_FOUND, IdempotencyKey, answer_once, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, StorageSettings, FlowSettings)
app = resolver()


@app.post(
    "/advisor/sessions/<session_id>/generate",
    summary="Generate the advised look",
    description=(
        "Starts a generation from the session's generation prompt (and its photo), exactly as `POST /generations` "
        "does, charged the same. Takes an `Idempotency-Key`."
    ),
    tags=["advisor"],
    responses=responses(
        202,
        "generation started; poll GET /generations/{id}",
        errors={
            402: "`insufficient_tokens`: the balance is below the generation's cost; nothing was charged",
            404: NOT_FOUND,
            409: (
                "`conflict`: the advice has no generation prompt, or a request with this Idempotency-Key is still "
                "being answered"
            ),
            429: "`too_many_in_flight`: the plan's limit of generations running at once is reached",
            503: (
                "`service_unavailable`: the generation could not be started (the tokens were refunded) or the "
                "database is unavailable"
            ),
        },
    ),
)
def generate(
    session_id: Annotated[UUID, Path()],
    body: Annotated[AdvisorGenerateInput | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[GenerationStarted]:
    who = caller(app)
    fields = service.generation_body(who.user_id, session_id, body.mode if body else None)
    request = GenerationInput.model_validate(fields)  # the checks of POST /generations
    outcome = generations.create(who, generations.Request.from_body(request.model_dump(mode="json")), idempotency_key)
    return answer_once(outcome, 202, GenerationStarted.started)


handler = api_handler(app)
