"""S3 access: boto3 (its own credential chain and endpoint settings) for everything, and an obstore
store built from the same boto3 client for object GETs (``object_store``).

``AWS_ENDPOINT_URL_S3`` (or ``AWS_ENDPOINT_URL``) points boto3 at a local S3-compatible server,
so tests take the same code path as real S3.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

from .errors import CopyError

# boto3 is imported by the first client, not with this module: a COPY from local files never
# needs it (0.13 s of imports on every run of an ETL over a local lake).
RETRY_SETTINGS = {"retries": {"max_attempts": 8, "mode": "standard"}, "connect_timeout": 10, "read_timeout": 60}


def client(region: str | None = None, *, access_key_id=None, secret_access_key=None, session_token=None):
    """A boto3 S3 client; explicit keys (from a COPY's credentials) override the chain."""
    import boto3
    from botocore.config import Config as BotoConfig

    kwargs = {"config": BotoConfig(**{**RETRY_SETTINGS, "retries": dict(RETRY_SETTINGS["retries"])})}
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


# -- object GETs through obstore ---------------------------------------------------------------------
# A GET through botocore costs 2–3 ms of client CPU under the GIL; obstore (Rust object_store) costs
# 0.5–0.8 ms and waits without the GIL (bench/candidates_report.md §3), which is what many small
# objects are bound by. boto3 stays the source of truth for *where* and *as whom*: the store is built
# from a boto3 client's resolved endpoint, region, credentials and retry budget, so COPY's REGION,
# explicit keys, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, profiles and role chains mean the same thing
# for LIST/HEAD (boto3) and GET (obstore). obstore retries nothing itself (max_retries 0): the
# caller's one retry loop resumes bodies pinned to the first ETag and retries 5xx within the same budget.

_STORES: dict = {}
_STORES_LOCK = threading.Lock()


def _is_aws(endpoint: str) -> bool:
    host = urlparse(endpoint).hostname or ""
    return host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn")


def signing_credentials(client):
    """The credentials ``client`` signs with (botocore ``Credentials``; refreshable ones refresh
    themselves), or None for an unsigned client. botocore has no public getter: this reads the
    request signer's, so obstore signs as exactly the same principal."""
    signer = getattr(client, "_request_signer", None)
    return getattr(signer, "_credentials", None)


def attempts(client) -> int:
    """Total attempts (first try included) the client's retry config allows for one request."""
    retries = getattr(client.meta.config, "retries", None) or {}
    total = retries.get("total_max_attempts")          # botocore normalises max_attempts to this
    if total is None:
        total = retries.get("max_attempts", 0) + 1
    return max(1, int(total))


def object_store(client, bucket: str):
    """An obstore ``S3Store`` for ``bucket`` that reaches the same endpoint, in the same region, as
    the same principal as the boto3 ``client``; None when that cannot be reproduced (an unsigned
    client, or an ``AWS_CA_BUNDLE`` that cannot be read). One store per (client, bucket) is kept: it
    holds the connection pool."""
    key = (id(client), bucket)
    with _STORES_LOCK:
        hit = _STORES.get(key)
        if hit is not None and hit[0] is client:
            return hit[1]
    creds = signing_credentials(client)
    if creds is None:
        return None
    from obstore.store import S3Store

    def provide():
        frozen = creds.get_frozen_credentials()
        # Refreshable (role/SSO/IMDS) credentials: ask again within a minute; botocore refreshes
        # them ahead of expiry. Static keys never expire.
        expires = (datetime.now(timezone.utc) + timedelta(minutes=1)) if hasattr(creds, "refresh_needed") else None
        return {"access_key_id": frozen.access_key, "secret_access_key": frozen.secret_key,
                "token": frozen.token, "expires_at": expires}

    endpoint = client.meta.endpoint_url
    cfg = client.meta.config
    options = {"connect_timeout": f"{int(cfg.connect_timeout or 10)}s",
               "read_timeout": f"{int(cfg.read_timeout or 60)}s",   # per read, as botocore's read_timeout
               "timeout": "3650d",               # no overall cap: a multi-GB body streams for minutes
               "allow_http": urlparse(endpoint).scheme == "http"}
    kwargs = {"region": client.meta.region_name or "us-east-1"}
    bundle = os.environ.get("AWS_CA_BUNDLE")
    if bundle and urlparse(endpoint).scheme == "https":
        # boto3 trusts this bundle (a private CA, a TLS-inspecting proxy); obstore must trust it too
        try:
            with open(bundle, encoding="ascii", errors="replace") as fh:
                options["root_certificate"] = fh.read()
        except OSError:
            return None
    if _is_aws(endpoint):
        # AWS itself: virtual-hosted requests, as boto3 makes them; a bucket name with dots cannot
        # match the wildcard TLS certificate that way, so it goes path-style (S3 user guide,
        # "Virtual hosting of buckets": https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html).
        kwargs["virtual_hosted_style_request"] = "." not in bucket
    else:
        # A custom endpoint (moto, MinIO, LocalStack): path-style, the form they all accept. NB
        # obstore lets an AWS_ENDPOINT_URL_S3 in the environment override this argument; boto3
        # resolved ``endpoint`` from that same variable, so both agree.
        kwargs.update(endpoint=endpoint, virtual_hosted_style_request=False)
    store = S3Store(bucket, credential_provider=provide, client_options=options,
                    retry_config={"max_retries": 0}, **kwargs)
    with _STORES_LOCK:
        if len(_STORES) >= 32:
            _STORES.clear()
        _STORES[key] = (client, store)       # the client is kept so its id() is not reused
    return store


def object_store_can_name(key: str) -> bool:
    """Can obstore address this key byte for byte? Its paths drop a leading or trailing '/', refuse
    empty, '.' and '..' segments and control characters; S3 allows all of them, so such keys are
    read through boto3 instead."""
    if not key or key.startswith("/") or key.endswith("/"):
        return False
    if any(seg in ("", ".", "..") for seg in key.split("/")):
        return False
    return not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key)
