"""The floor for dispatch cost: a bare ASGI app on the same uvicorn (httptools + uvloop)
answering every POST with the bytes of a small GetItem response."""

BODY = b'{"Item":{"pk":{"S":"p1"},"sk":{"S":"s1"},"val":{"S":"' + b"x" * 100 + b'"},"n":{"N":"1"}}}'
HEADERS = [(b"content-type", b"application/x-amz-json-1.0"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
