"""Which hosts are Redshift's: the ones a patched driver reroutes to dwhkit.

Provisioned clusters answer at ``<cluster>.<id>.<region>.redshift.amazonaws.com`` and Serverless
workgroups at ``<workgroup>.<account>.<region>.redshift-serverless.amazonaws.com``
(https://docs.aws.amazon.com/redshift/latest/mgmt/connecting-connection-string.html,
https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-connecting.html). A custom domain
name or a tunnel is named in ``[PATCH] hosts``; every other host is left to the real driver.
AMBIG: the China regions' endpoints end in ``.amazonaws.com.cn`` (same pages, region table);
they are Redshift's too. Tested in tests/test_patch.py::test_which_hosts_are_redshift.
"""
from __future__ import annotations

from fnmatch import fnmatchcase

REDSHIFT_SUFFIXES = (".redshift.amazonaws.com", ".redshift-serverless.amazonaws.com",
                     ".redshift.amazonaws.com.cn", ".redshift-serverless.amazonaws.com.cn")


def is_redshift_host(host: str | None, extra_hosts: tuple[str, ...] = ()) -> bool:
    """True for an AWS Redshift endpoint, or a host matching a ``[PATCH] hosts`` pattern
    (exact names or shell wildcards such as ``*.dwh.example.com``; case does not matter)."""
    if not host:
        return False
    name = host.strip().rstrip(".").lower()
    if name.endswith(REDSHIFT_SUFFIXES):
        return True
    return any(fnmatchcase(name, pattern.lower()) for pattern in extra_hosts)
