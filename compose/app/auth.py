"""auth: issues HS256 JWTs for the stack's test users and verifies them for the backend.

POST /token   {"user": "alice"}           -> {"token": "...", "user_id": "alice", "expires_in": 3600}
POST /verify  {"token": "..."}            -> {"user_id": "alice"} | 401 {"error": "invalid token: ..."}
GET  /health                              -> {"status": "ok"}
The shared secret comes from AUTH_SECRET; test users from AUTH_USERS (comma-separated) plus
user1..userN for load tests (AUTH_NUMBERED_USERS, default 100).
"""
import json
import logging
import os
import time

import jwt
from aiohttp import web

SECRET = os.environ.get("AUTH_SECRET", "")
ISSUER = "faultline-stack-auth"
TOKEN_SECONDS = int(os.environ.get("AUTH_TOKEN_SECONDS", "3600"))
USERS = {name.strip() for name in os.environ.get("AUTH_USERS", "alice,bob,carol,dave,erin,probe").split(",") if name.strip()}
USERS |= {f"user{n}" for n in range(1, int(os.environ.get("AUTH_NUMBERED_USERS", "100")) + 1)}
log = logging.getLogger("auth")


def error(status, message):
    return web.json_response({"error": message}, status=status)


async def read_json(request):
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise web.HTTPBadRequest(text=json.dumps({"error": f"malformed JSON: {exc}"}), content_type="application/json")
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=json.dumps({"error": "the body must be a JSON object"}), content_type="application/json")
    return body


async def token(request):
    body = await read_json(request)
    user = body.get("user")
    if user not in USERS:
        return error(404, f"unknown user {user!r}")
    now = int(time.time())
    claims = {"sub": user, "iss": ISSUER, "iat": now, "exp": now + TOKEN_SECONDS}
    return web.json_response({"token": jwt.encode(claims, SECRET, algorithm="HS256"), "user_id": user, "expires_in": TOKEN_SECONDS})


async def verify(request):
    body = await read_json(request)
    token_text = body.get("token")
    if not isinstance(token_text, str) or not token_text:
        return error(400, "missing token")
    try:
        claims = jwt.decode(token_text, SECRET, algorithms=["HS256"], issuer=ISSUER, options={"require": ["sub", "exp", "iss"]})
    except jwt.ExpiredSignatureError:
        return error(401, "invalid token: expired")
    except jwt.InvalidTokenError as exc:
        return error(401, f"invalid token: {exc}")
    if claims["sub"] not in USERS:
        return error(401, f"invalid token: unknown user {claims['sub']!r}")
    return web.json_response({"user_id": claims["sub"]})


async def health(_request):
    return web.json_response({"status": "ok"})


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s auth %(levelname)s %(message)s")
    if len(SECRET) < 16:
        raise SystemExit("auth: AUTH_SECRET must be set to at least 16 characters")
    app = web.Application()
    app.add_routes([web.post("/token", token), web.post("/verify", verify), web.get("/health", health)])
    web.run_app(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8081")), print=None, access_log=None)


if __name__ == "__main__":
    main()
