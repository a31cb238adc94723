"""The moto server that tests, benchmarks and the pytest plugin start keeps moto's module list
(dwhkit.testing.local_s3): moto 5 re-lists its package folder on every request otherwise."""
from __future__ import annotations

import os

import boto3

from dwhkit.testing.local_s3 import _cache_moto_module_list, free_port, moto_server


def test_the_module_list_is_read_once_and_is_moto_s_own(monkeypatch):
    import moto
    from moto import backends

    folder = os.path.dirname(moto.__file__)
    expected = sorted(name for name in os.listdir(folder)
                      if os.path.isdir(os.path.join(folder, name)) and not name.startswith("__"))
    _cache_moto_module_list()
    _cache_moto_module_list()                     # idempotent: the kept list is not wrapped again

    def no_disk(*args, **kwargs):
        raise AssertionError("moto's module list was read from disk again")
    monkeypatch.setattr(os, "listdir", no_disk)
    assert list(backends.list_of_moto_modules()) == expected
    assert "s3" in backends.list_of_moto_modules()


def test_the_kept_server_answers_s3_requests():
    port = free_port()
    server = moto_server(port)
    server.start()
    try:
        client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_bucket(Bucket="kept-list")
        client.put_object(Bucket="kept-list", Key="a/b.json", Body=b'{"x": 1}\n')
        assert client.get_object(Bucket="kept-list", Key="a/b.json")["Body"].read() == b'{"x": 1}\n'
        assert [o["Key"] for o in client.list_objects_v2(Bucket="kept-list")["Contents"]] == ["a/b.json"]
    finally:
        server.stop()
