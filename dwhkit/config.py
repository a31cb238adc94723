"""dwh.cfg plus the environment, read once into frozen dataclasses.

Every key can be overridden by ``DWH_<SECTION>_<KEY>``; secrets (passwords) belong in the
environment, never in the committed template, and never appear in ``repr``.
"""
from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import ConfigError

DEFAULT_CONFIG_NAME = "dwh.cfg"
TARGET_TYPES = ("embedded", "postgres", "redshift")
SECRET_KEYS = {"password", "secret_access_key", "session_token"}

# Built-in defaults: every section and key dwhkit reads, so an env var alone can set any of them.
DEFAULTS: dict[str, dict[str, str]] = {
    "TARGET": {"type": "embedded", "warehouse": "stedi"},
    "CLUSTER": {"host": "", "port": "5439", "db_name": "dwh", "db_user": "dwhuser", "db_password": "",
                "sslmode": ""},
    "IAM_ROLE": {"arn": ""},
    "S3": {"lake": "", "region": ""},
    "EMBEDDED": {"data_dir": ".dwhkit/pg", "port": "0"},
    "STEDI": {"consent_scope": "customer"},
    # `dwh serve`: the local Redshift endpoint (password: DWH_SERVE_PASSWORD, never in the file)
    "SERVE": {"host": "127.0.0.1", "port": "5439", "user": "awsuser", "password": "", "database": "dev",
              "auth": "md5"},
    # dwhkit.patch() / `dwh exec`: hosts rerouted besides *.redshift(-serverless).amazonaws.com
    "PATCH": {"hosts": ""},
}
# [CLUSTER] sslmode: libpq's modes; empty means the target's default (Redshift: require, Postgres: prefer).
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# [STEDI] consent_scope: every reading of a consenting customer, or only those from the consent date.
STEDI_CONSENT_SCOPES = ("customer", "from_consent_date")


class Secret(str):
    """A str whose repr never shows its value."""

    def __repr__(self) -> str:  # pragma: no cover - trivial
        return "'***'" if self else "''"


def _secret_field():
    return field(default=Secret(""), repr=False)


@dataclass(frozen=True)
class ClusterConfig:
    host: str = ""
    port: int = 5439
    db_name: str = "dwh"
    db_user: str = "dwhuser"
    db_password: Secret = _secret_field()
    sslmode: str = ""  # "" = the target's default

    def __repr__(self) -> str:
        pw = "***" if self.db_password else ""
        return (f"ClusterConfig(host={self.host!r}, port={self.port}, db_name={self.db_name!r}, "
                f"db_user={self.db_user!r}, db_password={pw!r})")


@dataclass(frozen=True)
class ServeConfig:
    """[SERVE]: who may log in to `dwh serve`, and where it listens."""

    host: str = "127.0.0.1"
    port: int = 5439
    user: str = "awsuser"
    password: Secret = _secret_field()
    database: str = "dev"
    auth: str = "md5"


@dataclass(frozen=True)
class Config:
    """Everything dwhkit needs to know, resolved from file + environment."""

    path: Path | None
    target_type: str = "embedded"
    warehouse: str = "stedi"
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    iam_role: str = ""
    lake: str = ""
    s3_region: str = ""
    embedded_data_dir: Path = Path(".dwhkit/pg")
    embedded_port: int = 0
    stedi_consent_scope: str = "customer"
    serve: ServeConfig = field(default_factory=ServeConfig)
    patch_hosts: tuple[str, ...] = ()

    @property
    def base_dir(self) -> Path:
        """Relative paths in the config are relative to the config file's folder."""
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, p: str | Path) -> Path:
        p = Path(p).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    def with_overrides(self, **changes) -> "Config":
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Config(**values)


def _env_key(section: str, key: str) -> str:
    return f"DWH_{section.upper()}_{key.upper()}"


def load_config(path: str | os.PathLike | None = None, env: dict | None = None) -> Config:
    """Read ``path`` (or $DWH_CONFIG, or ./dwh.cfg if present) and apply DWH_* overrides."""
    env = os.environ if env is None else env
    if path is None:
        path = env.get("DWH_CONFIG") or None
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_dict(DEFAULTS)
    cfg_path: Path | None = None
    if path is not None:
        cfg_path = Path(path).expanduser().resolve()
        if not cfg_path.is_file():
            raise ConfigError(f"config file not found: {cfg_path}")
    elif Path(DEFAULT_CONFIG_NAME).is_file():
        cfg_path = Path(DEFAULT_CONFIG_NAME).resolve()
    if cfg_path is not None:
        try:
            with open(cfg_path, encoding="utf-8") as fh:
                parser.read_file(fh)
        except configparser.Error as exc:
            raise ConfigError(f"{cfg_path}: {exc}") from None
    # Environment overrides, for every known key and any key the file added.
    for section in parser.sections():
        for key in list(parser[section].keys()):
            value = env.get(_env_key(section, key))
            if value is not None:
                parser[section][key] = value
    for section, keys in DEFAULTS.items():
        for key in keys:
            value = env.get(_env_key(section, key))
            if value is not None:
                parser[section][key] = value

    def get(section: str, key: str) -> str:
        return parser.get(section, key, fallback="").strip()

    target_type = get("TARGET", "type").lower() or "embedded"
    if target_type not in TARGET_TYPES:
        raise ConfigError(f"[TARGET] type must be one of {', '.join(TARGET_TYPES)}, not {target_type!r}")

    def as_int(section: str, key: str) -> int:
        raw = get(section, key)
        try:
            return int(raw or 0)
        except ValueError:
            raise ConfigError(f"[{section}] {key} must be a whole number, not {raw!r}") from None

    consent_scope = get("STEDI", "consent_scope").lower() or "customer"
    if consent_scope not in STEDI_CONSENT_SCOPES:
        raise ConfigError(f"[STEDI] consent_scope must be one of {', '.join(STEDI_CONSENT_SCOPES)}, "
                          f"not {consent_scope!r}")

    sslmode = get("CLUSTER", "sslmode").lower()
    if sslmode and sslmode not in SSLMODES:
        raise ConfigError(f"[CLUSTER] sslmode must be one of {', '.join(SSLMODES)}, not {sslmode!r}")
    cluster = ClusterConfig(
        host=get("CLUSTER", "host"),
        port=as_int("CLUSTER", "port") or 5439,
        db_name=get("CLUSTER", "db_name") or "dwh",
        db_user=get("CLUSTER", "db_user") or "dwhuser",
        db_password=Secret(parser.get("CLUSTER", "db_password", fallback="")),
        sslmode=sslmode,
    )
    config = Config(
        path=cfg_path,
        target_type=target_type,
        warehouse=get("TARGET", "warehouse") or "stedi",
        cluster=cluster,
        iam_role=get("IAM_ROLE", "arn"),
        lake=get("S3", "lake"),
        s3_region=get("S3", "region"),
        embedded_data_dir=Path(get("EMBEDDED", "data_dir") or ".dwhkit/pg"),
        embedded_port=as_int("EMBEDDED", "port"),
        stedi_consent_scope=consent_scope,
        serve=ServeConfig(host=get("SERVE", "host") or "127.0.0.1", port=as_int("SERVE", "port"),
                          user=get("SERVE", "user") or "awsuser",
                          password=Secret(parser.get("SERVE", "password", fallback="")),
                          database=get("SERVE", "database") or "dev", auth=get("SERVE", "auth").lower() or "md5"),
        patch_hosts=tuple(h for h in get("PATCH", "hosts").replace(",", " ").split() if h),
    )
    if target_type in ("postgres", "redshift") and not cluster.host:
        raise ConfigError(f"[CLUSTER] host is required for target type {target_type!r} "
                          f"(set it in {cfg_path or DEFAULT_CONFIG_NAME} or DWH_CLUSTER_HOST)")
    return config
