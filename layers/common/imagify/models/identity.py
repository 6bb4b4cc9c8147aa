"""Identity: users, sign-up and sign-in, tokens, the caller's own profile and ledger (``/auth``, ``/me``)."""

from datetime import datetime
from typing import Annotated, Literal, Protocol, Self
from uuid import UUID

from pydantic import (
    Field,
)

from imagify.models.common import ApiInput, ApiModel, example
from imagify.models.fields import (
    Email,
    HttpsUrl,
    Name,
    NewPassword,
    OneTimeToken,
    Password,
    PatchInput,
    SessionToken,
    UtcDatetime,
)
from imagify.models.rows import (
    Plan,
    Role,
    UserRow,
)


class User(ApiModel):
    """A user as the API shows it (never the password hash)."""

    id: UUID
    email: Annotated[str, Field(description="the sign-in email, as it was typed (matched regardless of case)")]
    name: Annotated[str | None, Field(description="the display name")]
    image: Annotated[str | None, Field(description="the avatar URL")]
    role: Role
    plan: Plan
    tokens: Annotated[int, Field(description="the token balance")]
    email_verified: Annotated[UtcDatetime | None, Field(description="when the email was verified; null if not")]
    created_at: UtcDatetime


class RegisterInput(ApiInput):
    model_config = example({"email": "ada@example.com", "password": "correct horse battery staple", "name": "Ada"})

    email: Email
    password: NewPassword
    name: Name | None = None


class LoginInput(ApiInput):
    model_config = example({"email": "ada@example.com", "password": "correct horse battery staple"})

    email: Email
    password: Password


class RefreshInput(ApiInput):
    model_config = example({"sessionToken": "ims_ExampleSessionTokenFromSignIn0000000000"})

    session_token: SessionToken


class OAuthInput(ApiInput):
    model_config = example({"idToken": "eyJhbGciOiJSUzI1NiIsImtpZCI6ImV4YW1wbGUifQ.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"})

    id_token: Annotated[
        str,
        Field(min_length=1, max_length=8192, repr=False, description="the identity provider's ID token (a JWT)"),
    ]


class VerifyEmailConfirmInput(ApiInput):
    model_config = example({"email": "ada@example.com", "token": "ExampleOneTimeTokenFromTheMail"})

    email: Email
    token: OneTimeToken


class PasswordResetRequestInput(ApiInput):
    model_config = example({"email": "ada@example.com"})

    email: Email


class PasswordResetConfirmInput(ApiInput):
    model_config = example(
        {
            "email": "ada@example.com",
            "token": "ExampleOneTimeTokenFromTheMail",
            "newPassword": "a new and longer passphrase",
        }
    )

    email: Email
    token: OneTimeToken
    new_password: NewPassword


class AccessTokenResult(ApiModel):
    access_token: Annotated[str, Field(description="a short-lived bearer token for `Authorization: Bearer`")]
    expires_at: Annotated[UtcDatetime, Field(description="when the access token expires")]


class _Token(Protocol):
    @property
    def token(self) -> str: ...


class _AccessToken(_Token, Protocol):
    @property
    def expires_at(self) -> datetime: ...


class _SignIn(Protocol):
    """What a sign-in gives (``imagify.identity.auth.SignedIn``), without importing the domain here."""

    @property
    def user(self) -> UserRow: ...
    @property
    def access(self) -> _AccessToken: ...
    @property
    def session(self) -> _Token: ...


class AuthResult(ApiModel):
    user: User
    access_token: Annotated[str, Field(description="a short-lived bearer token for `Authorization: Bearer`")]
    session_token: Annotated[str, Field(description="a long-lived token for `POST /auth/refresh`; keep it secret")]
    expires_at: Annotated[UtcDatetime, Field(description="when the access token expires")]

    @classmethod
    def signed_in(cls, result: _SignIn) -> Self:
        return cls(
            user=User.model_validate(result.user),
            access_token=result.access.token,
            session_token=result.session.token,
            expires_at=result.access.expires_at,
        )


class UserEnvelope(ApiModel):
    user: User


# === Me ===============================================================================================


class MePatchInput(PatchInput):
    model_config = example({"name": "Ada Lovelace"})

    name: Annotated[Name | None, Field(description="the display name; null clears it")] = None
    image: Annotated[HttpsUrl | None, Field(description="an https avatar URL; null clears it")] = None


class MeDeleteInput(ApiInput):
    model_config = example({"password": "correct horse battery staple"})

    password: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=256,
            repr=False,
            description="the account's password; required when the account has one",
        ),
    ] = None


TokenKind = Annotated[
    Literal[
        "signup",
        "generation_charge",
        "generation_refund",
        "admin_adjustment",
        "role_grant",
        "advisor_charge",
        "direct_change",
    ],
    Field(description="why the balance changed; `direct_change` is a change made outside this API (the frontend)"),
]


class TokenTransaction(ApiModel):
    """One change of a user's token balance."""

    id: UUID
    delta: Annotated[int, Field(description="tokens added (positive) or taken (negative)")]
    balance_after: Annotated[int, Field(description="the balance right after this change")]
    kind: TokenKind
    generation_id: Annotated[UUID | None, Field(description="the generation charged or refunded, if any")]
    note: Annotated[str | None, Field(description="why, for admin adjustments")]
    created_at: UtcDatetime
