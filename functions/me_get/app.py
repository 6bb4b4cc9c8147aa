from imagify.identity import profile
from imagify.models.api import User
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.get("/me")
@tracer.capture_method
def get_me() -> User:
    return User.from_row(profile.me(caller(app).user_id))


handler = api_handler(app)
