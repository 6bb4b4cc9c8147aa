"""The API's Lambda REQUEST authorizer: accepts an access token (JWT) or a session token.

The policy allows every route of the stage, because API Gateway caches it per token for
``ReauthorizeEvery`` seconds and reuses it on other routes; who may do what is decided by the functions,
from the ``userId``, ``role`` and ``plan`` put in the request context here.
"""

from typing import Any
from uuid import UUID

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
    parse_api_gateway_arn,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagify import lifecycle
from imagify.errors import Unauthorized
from imagify.identity.authorizer import authenticate
from imagify.identity.principal import Principal, bearer_token
from imagify.observability import logger
from imagify.settings import DatabaseSettings, TokenSettings, require

require(DatabaseSettings, TokenSettings)


@logger.inject_lambda_context(clear_state=True)
@event_source(data_class=APIGatewayAuthorizerRequestEvent)
def handler(event: APIGatewayAuthorizerRequestEvent, context: LambdaContext) -> dict[str, Any]:
    try:
        principal = authenticate(bearer_token(event.headers.get("Authorization") or event.headers.get("authorization")))
    except Unauthorized:
        # The exact message API Gateway turns into a 401 (any other outcome would be a 403 or a 500).
        raise Exception("Unauthorized") from None
    return allow(principal, event.method_arn)


def allow(principal: Principal, method_arn: str) -> dict[str, Any]:
    """The policy that lets ``principal`` call every route of the stage of ``method_arn``."""
    arn = parse_api_gateway_arn(method_arn)
    policy = APIGatewayAuthorizerResponse(
        principal_id=str(principal.user_id),
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        context={"userId": str(principal.user_id), "role": principal.role, "plan": principal.plan},
    )
    policy.allow_all_routes()
    return policy.asdict()


# Before a SnapStart snapshot: the models, and a policy made once (Powertools compiles its route pattern then).
lifecycle.prime(lifecycle.build_models)
lifecycle.prime(
    lambda: allow(
        Principal(user_id=UUID(int=0), role="user", plan="free"),
        "arn:aws:execute-api:us-east-1:000000000000:priming/priming/GET/",
    )
)
