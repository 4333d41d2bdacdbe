"""The HTTP/1.1 connection protocol `lumadb serve` runs: keep-alive, pipelining, HTTP/1.0,
chunked bodies, Expect: 100-continue, body limits, HEAD and malformed requests, over raw sockets."""

from __future__ import annotations

import json
import socket

from tests.lumadb_server import LumaServer


def _connect(server: LumaServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def _read_response(sock: socket.socket, buffer: bytearray, head: bool = False) -> tuple[int, dict[str, str], bytes]:
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a response"
        buffer += chunk
    end = buffer.index(b"\r\n\r\n")
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    del buffer[: end + 4]
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers.get("content-length", "0"))
    while len(buffer) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside a body"
        buffer += chunk
    body = bytes(buffer[:length])
    del buffer[:length]
    return status, headers, body


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def _post(path: str, body: bytes, *extra: str) -> bytes:
    head = [f"POST {path} HTTP/1.1", "Host: test", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _pipeline_body(sql: str) -> bytes:
    return json.dumps({"requests": [{"type": "execute", "stmt": {"sql": sql}}, {"type": "close"}]}).encode()


def test_keep_alive_serves_many_requests_on_one_connection(server: LumaServer) -> None:
    with _connect(server) as sock:
        buffer = bytearray()
        for _ in range(20):
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
            status, headers, body = _read_response(sock, buffer)
            assert (status, body) == (200, b"")
            assert "connection" not in headers


def test_pipelined_requests_are_answered_in_order(server: LumaServer, unique_name: str) -> None:
    # Writes go through the writer thread (the handler suspends), reads answer at once:
    # the answers must still come back in request order.
    table = f"pipe_{unique_name}"
    requests = [_post("/v2/pipeline", _pipeline_body(f"CREATE TABLE {table}(x)"))]
    for i in range(10):
        requests.append(_post("/v2/pipeline", _pipeline_body(f"INSERT INTO {table} VALUES ({i})")))
        requests.append(_post("/v2/pipeline", _pipeline_body(f"SELECT count(*) FROM {table}")))
    with _connect(server) as sock:
        sock.sendall(b"".join(requests))
        buffer = bytearray()
        answers = [_read_response(sock, buffer) for _ in requests]
    assert all(status == 200 for status, _, _ in answers)
    counts = [
        json.loads(body)["results"][0]["response"]["result"]["rows"][0][0]["value"]
        for _, _, body in answers[2::2]
    ]
    assert counts == [str(i + 1) for i in range(10)]


def test_http_1_0_and_connection_close_end_the_connection(server: LumaServer) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /health HTTP/1.0\r\n\r\n")
        status, headers, _ = _read_response(sock, bytearray())
        assert status == 200 and headers["connection"] == "close"
        assert _closed(sock)
    with _connect(server) as sock:
        sock.sendall(b"GET /version HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        status, headers, body = _read_response(sock, bytearray())
        assert status == 200 and body.startswith(b"lumadb ") and headers["connection"] == "close"
        assert _closed(sock)


def test_chunked_request_body(server: LumaServer) -> None:
    body = _pipeline_body("SELECT 41 + 1")
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:]))
    request = b"POST /v2/pipeline HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(request)
        status, _, answer = _read_response(sock, bytearray())
    assert status == 200
    assert json.loads(answer)["results"][0]["response"]["result"]["rows"] == [[{"type": "integer", "value": "42"}]]


def test_expect_100_continue(server: LumaServer) -> None:
    body = _pipeline_body("SELECT 1")
    with _connect(server) as sock:
        sock.sendall(_post("/v2/pipeline", b"", "Expect: 100-continue").replace(b"Content-Length: 0",
                                                                             f"Content-Length: {len(body)}".encode()))
        buffer = bytearray()
        while b"\r\n\r\n" not in buffer:
            buffer += sock.recv(4096)
        assert bytes(buffer).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        del buffer[: len(b"HTTP/1.1 100 Continue\r\n\r\n")]
        sock.sendall(body)
        status, _, _ = _read_response(sock, buffer)
        assert status == 200


def test_body_over_the_limit_gets_the_protocols_413_and_the_connection_survives(start_server) -> None:
    srv = start_server("--max-body-bytes", "1000")
    big = b'{"TableName":"t","Item":{"pk":{"S":"' + b"x" * 2000 + b'"}}}'
    with _connect(srv) as sock:
        buffer = bytearray()
        sock.sendall(_post("/", big, "X-Amz-Target: DynamoDB_20120810.PutItem",
                           "Content-Type: application/x-amz-json-1.0"))
        status, headers, body = _read_response(sock, buffer)
        assert status == 413 and headers["content-type"] == "application/x-amz-json-1.0"
        assert b"RequestEntityTooLarge" in body or b"too large" in body.lower()
        # a chunked body over the limit: detected while reading
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(big), big)
        sock.sendall(b"POST /v2/pipeline HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
        status, _, _ = _read_response(sock, buffer)
        assert status == 413
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        assert _read_response(sock, buffer)[0] == 200


def test_head_sends_headers_only(server: LumaServer) -> None:
    with _connect(server) as sock:
        buffer = bytearray()
        sock.sendall(b"HEAD /version HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        status, headers, _ = _read_response(sock, buffer, head=True)
        assert status in (200, 404, 405) and "content-length" in headers
        assert _read_response(sock, buffer)[0] == 200  # the next answer is not mixed with a body


def test_malformed_request_is_a_400_and_closes(server: LumaServer) -> None:
    with _connect(server) as sock:
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        status, headers, _ = _read_response(sock, bytearray())
        assert status == 400 and headers["connection"] == "close"
        assert _closed(sock)


def test_percent_encoded_path_is_decoded(server: LumaServer) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /%68ealth HTTP/1.1\r\nHost: t\r\n\r\n")
        assert _read_response(sock, bytearray())[0] == 200


def _select_answer(body: bytes) -> str:
    return json.loads(body)["results"][0]["response"]["result"]["rows"][0][0]["value"]


def test_a_burst_over_many_connections_gets_each_its_own_answer(server: LumaServer) -> None:
    # Requests that arrive together are answered in one loop iteration, and their responses
    # leave together at its end (lumadb/outbox.py): none may go to the wrong connection.
    socks = [_connect(server) for _ in range(40)]
    try:
        buffers = [bytearray() for _ in socks]
        for round_ in range(5):
            for i, sock in enumerate(socks):
                sock.sendall(_post("/v2/pipeline", _pipeline_body(f"SELECT {round_ * 100 + i}")))
            for i, (sock, buffer) in enumerate(zip(socks, buffers, strict=True)):
                status, _, body = _read_response(sock, buffer)
                assert (status, _select_answer(body)) == (200, str(round_ * 100 + i))
    finally:
        for sock in socks:
            sock.close()


def test_answers_held_for_the_iteration_end_survive_a_half_close(server: LumaServer) -> None:
    # Pipelined requests then the client's FIN, in one packet: the answers are written before
    # the connection closes, in order, among other connections' traffic.
    others = [_connect(server) for _ in range(8)]
    try:
        for _ in range(3):
            with _connect(server) as sock:
                for other in others:
                    other.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
                sock.sendall(b"".join(_post("/v2/pipeline", _pipeline_body(f"SELECT {i}")) for i in range(5)))
                sock.shutdown(socket.SHUT_WR)
                buffer = bytearray()
                assert [_select_answer(_read_response(sock, buffer)[2]) for _ in range(5)] == [str(i) for i in range(5)]
                assert _closed(sock)
                for other in others:
                    assert _read_response(other, bytearray())[0] == 200
    finally:
        for other in others:
            other.close()


def test_a_malformed_request_after_a_good_one_is_answered_after_it(server: LumaServer) -> None:
    with _connect(server) as sock:
        sock.sendall(_post("/v2/pipeline", _pipeline_body("SELECT 7")) + b"THIS IS NOT HTTP\r\n\r\n")
        buffer = bytearray()
        status, _, body = _read_response(sock, buffer)
        assert (status, _select_answer(body)) == (200, "7")
        assert _read_response(sock, buffer)[0] == 400
        assert _closed(sock)
