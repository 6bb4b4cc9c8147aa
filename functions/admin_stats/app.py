from imagify.identity import admin
from imagify.models.admin import AdminStats
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import UNAVAILABLE, api_handler, require_admin, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/admin/stats",
    summary="Figures of the service",
    description=(
        "Counts of users by role and plan, generations by status and mode, and tokens granted, spent and refunded. "
        "Admins only."
    ),
    tags=["admin"],
    responses=responses(200, "the figures", errors={403: "`forbidden`: the caller is not an admin", 503: UNAVAILABLE}),
)
def stats() -> AdminStats:
    require_admin(app)
    return AdminStats.model_validate(admin.stats())


handler = api_handler(app, admin_only=True)
