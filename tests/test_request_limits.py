"""The shipped stack bounds what a request may send: gunicorn (gunicorn.conf.py) the request
line and the headers, Django (DATA_UPLOAD_MAX_MEMORY_SIZE) the body, which gunicorn cannot.
The gunicorn tests run the real server with the repository's config, as the image does."""

import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.conftest import ROOT

LIMIT = 256 * 1024


def test_django_refuses_a_form_body_over_the_limit(client, db):
    # Fails without DATA_UPLOAD_MAX_MEMORY_SIZE in bzpeer/settings.py: Django's default is 2.5 MB.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == LIMIT

    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x" * LIMIT})

    assert response.status_code == 400


def test_a_form_body_under_the_limit_is_read(client, db):
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x" * 1000})

    assert response.status_code == 200  # the form again, with its error


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_server():
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our virtualenv, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bzpeer.wsgi:application",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        # The browser tests' async flag is an error to the deploy checks gunicorn runs first.
        env=os.environ | {"WEB_CONCURRENCY": "1", "DJANGO_ALLOW_ASYNC_UNSAFE": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode())
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def raw_request(port: int, request: bytes) -> int:
    """Send the bytes, return the status code of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def get(port: int, target: str, headers: str = "") -> int:
    return raw_request(
        port,
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n".encode(),
    )


def test_gunicorn_refuses_a_request_line_over_its_limit(gunicorn_server):
    assert get(gunicorn_server, "/no-such-page/?q=" + "x" * 3000) == 404  # served by Django
    # Fails without limit_request_line (gunicorn's own default is the same 4094, but 0 would
    # mean unlimited): the line is 5,000 bytes.
    assert get(gunicorn_server, "/no-such-page/?q=" + "x" * 5000) in {400, 414}


def test_gunicorn_refuses_too_many_or_too_long_headers(gunicorn_server):
    many = "".join(f"X-Filler-{n}: 1\r\n" for n in range(60))

    assert get(gunicorn_server, "/no-such-page/", many) in {400, 431}
    assert get(gunicorn_server, "/no-such-page/", f"X-Long: {'y' * 9000}\r\n") in {400, 431}
    assert get(gunicorn_server, "/no-such-page/", "X-Short: 1\r\n") == 404


def test_the_stack_refuses_a_body_over_the_limit(gunicorn_server):
    # A CSRF cookie and token that match, so the request gets past CSRF to the body.
    secret = "a" * 32
    body = f"csrfmiddlewaretoken={secret}&password=".encode() + b"x" * (LIMIT + 1)
    head = (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Cookie: csrftoken={secret}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()

    assert raw_request(gunicorn_server, head + body) == 400
