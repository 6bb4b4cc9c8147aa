from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify import lifecycle, media
from imagify.advisor import service
from imagify.models.advisor import AdvisorAnswer, AdvisorInput
from imagify.settings import (
    AdvisorCostSettings,
    BedrockSettings,
    CorsSettings,
    DatabaseSettings,
    StorageSettings,
    require,
)
from imagify.web import KEY_IN_FLIGHT, IdempotencyKey, answer_once, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, StorageSettings, BedrockSettings, AdvisorCostSettings)
lifecycle.prime(media.load)  # (before a SnapStart snapshot: Pillow, which its requests use)
app = resolver()


@app.post(
    "/advisor",
    summary="Ask the style advisor",
    description=(
        "Sends a question (and optionally the caller's photo) to the advisor model. The advice is kept in the history"
        " and charged only when the model answered; its generation prompt, if any, can start a generation. Takes an "
        "`Idempotency-Key`."
    ),
    tags=["advisor"],
    responses=responses(
        201,
        "the advice, kept in the history",
        errors={
            402: "`insufficient_tokens`: the balance is below the advice's cost; nothing was charged",
            409: KEY_IN_FLIGHT,
            429: "`rate_limited`: the advisor model is busy; retry after `Retry-After`",
            503: "`service_unavailable`: the advisor model or the database is unavailable; nothing was charged",
        },
    ),
)
def ask(body: Annotated[AdvisorInput, Body()], idempotency_key: IdempotencyKey = None) -> Response[AdvisorAnswer]:
    outcome = service.ask(caller(app), body.message, body.user_photo_url, idempotency_key)
    return answer_once(
        outcome,
        201,
        lambda asked: AdvisorAnswer.from_row(
            asked.session, tokens_charged=asked.tokens_charged, balance_after=asked.balance_after
        ),
    )


handler = api_handler(app)
