"""S3 access through boto3, with boto3's own credential chain and endpoint settings.

``AWS_ENDPOINT_URL_S3`` (or ``AWS_ENDPOINT_URL``) points boto3 at a local S3-compatible server,
so tests take the same code path as real S3.
"""
from __future__ import annotations

from urllib.parse import urlparse

import boto3
from botocore.config import Config as BotoConfig

from .errors import CopyError

RETRIES = BotoConfig(retries={"max_attempts": 8, "mode": "standard"}, connect_timeout=10, read_timeout=60)


def client(region: str | None = None, *, access_key_id=None, secret_access_key=None, session_token=None):
    """A boto3 S3 client; explicit keys (from a COPY's credentials) override the chain."""
    kwargs = {"config": RETRIES}
    if region:
        kwargs["region_name"] = region
    if access_key_id and secret_access_key:
        kwargs.update(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
                      aws_session_token=session_token)
    return boto3.client("s3", **kwargs)


def split_url(url: str) -> tuple[str, str]:
    """'s3://bucket/some/prefix' -> ('bucket', 'some/prefix')."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise CopyError(f"not an S3 URL: {url!r} (expected s3://bucket/key)")
    return parsed.netloc, parsed.path.lstrip("/")
