from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.identity import oidc
from imagify.models.identity import AuthResult, OAuthInput
from imagify.settings import CorsSettings, DatabaseSettings, OidcSettings, SignupSettings, TokenSettings, require
from imagify.web import api_handler, resolver, responses

require(DatabaseSettings, CorsSettings, TokenSettings, OidcSettings, SignupSettings)
app = resolver()


@app.post(
    "/auth/oauth/<provider>",
    summary="Sign in with Google or another OpenID provider",
    description=(
        "Verifies the provider's ID token (signature, issuer, audience, expiry) and signs the user in, linking the "
        "account or creating the user."
    ),
    tags=["auth"],
    responses=responses(
        200,
        "signed in",
        errors={
            404: "`not_found`: no such provider is configured",
            409: "`email_taken`: the email belongs to an account that is not linked to this provider",
            503: "`service_unavailable`: the provider's keys or the database could not be reached",
        },
    ),
)
def sign_in(
    provider: Annotated[str, Path(pattern=r"^[a-z0-9_-]{1,50}$")], body: Annotated[OAuthInput, Body()]
) -> AuthResult:
    return AuthResult.signed_in(oidc.sign_in_with(provider, body.id_token))


handler = api_handler(app)
