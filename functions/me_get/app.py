from imagify.identity import profile
from imagify.models.identity import User
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/me",
    summary="Who am I",
    description="The caller's profile: email, name, image, role, plan and token balance.",
    tags=["me"],
    responses=responses(200, "the caller's profile", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def get_me() -> User:
    return User.model_validate(profile.me(caller(app).user_id))


handler = api_handler(app)
