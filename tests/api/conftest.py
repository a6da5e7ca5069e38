"""Fixtures of the API tests: the small 海东 world, and clients that call the API with a
bearer token as an app or integration would."""

import pytest
from django.test import Client

from gongzhi.accounts import tokens

API = "/api/v1"


class TokenClient:
    """A test client that sends ``Authorization: Bearer <token>`` on every request."""

    def __init__(self, raw: str):
        self.raw = raw
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path, params=None, **extra):
        return self.client.get(API + path, params or {}, headers=self.headers, **extra)

    def post(self, path, json=None, headers=None, **extra):
        return self.client.post(
            API + path,
            json if json is not None else {},
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
            **extra,
        )

    def post_multipart(self, path, data):
        return self.client.post(API + path, data, headers=self.headers)


@pytest.fixture
def as_token(db):
    """``as_token(user)`` → a TokenClient acting as ``user``."""

    def make(user, **kwargs) -> TokenClient:
        _token, raw = tokens.do_issue(user=user, name="test", **kwargs)
        return TokenClient(raw)

    return make
