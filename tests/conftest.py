"""Shared fixtures: one real embedded Postgres per test session (a fresh database per test)
and one moto S3 server in server mode on 127.0.0.1 (reached over HTTP through boto3)."""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import psycopg2
import pytest

from dwhkit.targets.embedded import EmbeddedServer
from dwhkit.targets.scratch import drop_database

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
STEDI_DATA = SHARED / "data" / "stedi"

# Kept translations (compat.translation_store) go to a folder of this test run, not the user's
# cache; child processes the tests start inherit it.
os.environ.setdefault("DWH_TRANSLATION_CACHE",
                      str(Path(tempfile.mkdtemp(prefix="dwhkit-test-translations-")) / "translations.json"))


@pytest.fixture(scope="session")
def pg_embedded_server(request):
    """A throwaway embedded Postgres for the whole test session. When a test failed, the end of
    its server log is kept (printed in the summary, saved under /tmp): a backend crash or a lost
    connection is only explained there, and the server's folder goes with the session."""
    root = Path(tempfile.mkdtemp(prefix="dwhkit-test-pg-", dir="/tmp"))
    os.chmod(root, 0o755)
    server = EmbeddedServer(root / "pg")
    server.start()
    yield server
    if request.session.testsfailed:
        _keep_server_log(request.config, server.log_file)
    server.destroy()
    import shutil
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(pg_embedded_server):
    """The session server's connection facts (``.dsn(dbname)``, ``.host``, ``.port``, …)."""
    return pg_embedded_server.start()


def _keep_server_log(config, log_file: Path, lines: int = 80) -> None:
    try:
        text = log_file.read_text(errors="replace")
    except OSError:
        return
    kept = Path(tempfile.mkdtemp(prefix="dwhkit-test-server-log-", dir="/tmp")) / "server.log"
    kept.write_text(text)
    config.stash[SERVER_LOG] = (kept, text.splitlines()[-lines:])


SERVER_LOG = pytest.StashKey[tuple]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    kept = config.stash.get(SERVER_LOG, None)
    if kept is None:
        return
    path, tail = kept
    terminalreporter.section(f"end of the test Postgres server's log (whole log kept in {path})")
    for line in tail:
        terminalreporter.line(line)


@pytest.fixture
def pg_dsn(pg_server):
    """Connection parameters of a brand-new, empty database, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**pg_server.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.dsn(name)
    drop_database(admin, name)      # retried while an autovacuum worker visits it
    admin.close()


@pytest.fixture
def pg_conn(pg_dsn):
    """A plain psycopg2 connection to the fresh test database."""
    conn = psycopg2.connect(**pg_dsn)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto in server mode on loopback; boto3 finds it through AWS_ENDPOINT_URL_S3."""
    from dwhkit.testing.local_s3 import free_port, moto_server

    port = free_port()
    server = moto_server(port)
    server.start()
    url = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in
             ("AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
              "AWS_SESSION_TOKEN", "AWS_PROFILE")}
    os.environ.update({"AWS_ENDPOINT_URL_S3": url, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    yield url
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def s3(s3_endpoint):
    """A boto3 S3 client against the local server."""
    import boto3
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def bucket(s3):
    """A fresh, empty bucket name per test."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def dwh_config(pg_dsn, tmp_path):
    """A dwhkit Config whose target is the fresh test database (type = postgres)."""
    from dwhkit.config import ClusterConfig, Config, Secret

    cfg_file = tmp_path / "dwh.cfg"
    cfg_file.write_text("[TARGET]\ntype = postgres\n")
    return Config(path=cfg_file, target_type="postgres",
                  cluster=ClusterConfig(host=pg_dsn["host"], port=pg_dsn["port"], db_name=pg_dsn["dbname"],
                                        db_user=pg_dsn["user"], db_password=Secret(pg_dsn["password"])))


@pytest.fixture(scope="session")
def stedi_sample(tmp_path_factory):
    """The generated STEDI sample (deterministic), written once per session."""
    from dwhkit.warehouses.stedi.sample import generate_sample

    return generate_sample(tmp_path_factory.mktemp("stedi-sample"))


def run_notebook(name: str, config, tmp_path, monkeypatch) -> list[dict]:
    """Execute a notebook of the repo against ``config``'s database; return every cell output.

    The kernel reaches the database the way a user's notebook does: dwhkit.connect() reading
    $DWH_CONFIG, with the password from DWH_CLUSTER_DB_PASSWORD (never written to a file)."""
    import nbclient
    import nbformat
    c = config.cluster
    cfg = tmp_path / "nb.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    monkeypatch.setenv("DWH_CONFIG", str(cfg))
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", str(c.db_password))
    nb = nbformat.read(ROOT / name, as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def notebook_text(outputs) -> str:
    return "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)

# -- the fast lane ---------------------------------------------------------------------------------
# `pytest -m "not slow" -n 2` runs in under 2 minutes on 2 cores; CI runs everything. A test is slow
# when one run of it (one parametrisation) took about 0.6 s or more on 2 cores — notebooks, crash and
# signal tests, real-data runs, subprocess CLIs, bombs. Listed here, not in each file, so the lane is
# one decision in one place; a listed name that no longer exists fails the collection.
SLOW_TESTS: dict[str, set[str]] = {
    "test_cli_errors.py": {"test_bad_files_and_arguments", "test_every_command_against_a_stopped_server", "test_every_command_in_an_empty_folder", "test_every_command_on_a_warehouse_with_no_tables"},
    "test_cli_global_options.py": {"test_config_before_the_command_reaches_report", "test_config_is_used_in_either_position_and_the_other_warehouse_survives", "test_unknown_warehouse_is_refused_with_the_valid_names", "test_warehouse_is_used_in_either_position"},
    "test_cli_report.py": {"test_alembic_chatter_only_with_verbose", "test_cli_report_header_and_each_figure_once", "test_failed_run_is_logged_and_the_report_says_so", "test_no_escape_codes_in_a_pipe", "test_report_html", "test_run_json_prints_only_the_report_on_stdout"},
    "test_concurrency.py": {"test_create_tables_waits_for_a_running_etl", "test_lock_held_by_a_killed_session_is_released", "test_no_wait_stops_with_a_clear_message", "test_two_runs_at_once_serialise", "test_warehouses_have_their_own_locks"},
    "test_copy_bounds_bombs.py": {"test_a_200mb_one_line_record_is_its_own_load_error", "test_a_flood_of_bad_records_under_ignoreallerrors_is_spilled_not_held", "test_bzip2_bomb_is_not_fetched_whole_and_expanded", "test_gzip_bomb_of_json_lines_loads_in_bounded_memory", "test_gzip_of_nul_bytes_without_newline_is_one_record_error", "test_records_just_under_the_limit_still_load", "test_zstd_bomb_single_frame"},
    "test_copy_grammar.py": {"test_option_order_and_keyword_case_do_not_matter"},
    "test_copy_interrupt.py": {"test_sigint_cancels_a_copy_blocked_inside_postgres", "test_signal_stops_a_running_copy_and_rolls_it_back"},
    "test_copy_job_ingest.py": {"test_exactly_once_across_restarts", "test_files_arriving_while_a_load_runs", "test_sigkill_in_the_middle_of_a_file"},
    "test_copy_load_fastpath.py": {"test_fast_path_does_not_import_pandas", "test_json_bad_record_deep_in_a_multiblock_file", "test_json_many_small_s3_objects", "test_text_multiblock_with_bad_rows_and_fillrecord"},
    "test_copy_load_file_boundaries.py": {"test_last_line_without_newline"},
    "test_copy_load_json.py": {"test_stedi_v2022_step_trainer_trailing_commas"},
    "test_copy_load_text.py": {"test_parquet_by_position_with_ranged_reads"},
    "test_copy_long_records.py": {"test_a_200mb_line_is_a_load_error_in_bounded_memory", "test_a_200mb_record_over_many_lines_is_one_load_error", "test_a_record_over_many_lines_just_past_the_limit", "test_csv_over_long_quoted_field_with_doubled_quotes_ends_where_its_quote_closes", "test_csv_quoted_field_over_128kb_is_a_length_error_not_a_parse_error"},
    "test_crash_safety.py": {"test_sigkill_at_random_points_then_rerun_is_exact"},
    "test_criteo_notebook.py": {"test_adtech_notebook_beats_the_base_rate"},
    "test_criteo_report_rewrite.py": {"test_the_rewrites_agree_with_the_unpivot_on_the_etl_result"},
    "test_criteo_sample.py": {"test_format_is_criteos"},
    "test_criteo_warehouse.py": {"test_bad_labels_are_reconciled", "test_category_merge_follows_changed_data", "test_end_to_end_and_rerun", "test_fed_by_a_copy_job_matches_a_plain_load"},
    "test_embedded_autovacuum.py": {"test_a_reloaded_table_is_analyzed_and_vacuumed_within_seconds"},
    "test_embedded_cli.py": {"test_db_start_url_status_stop", "test_main_job_on_the_embedded_default"},
    "test_energy_notebook.py": {"test_energy_notebook_runs_and_scores"},
    "test_energy_pipeline.py": {"test_fresh_clone_lake_loads", "test_from_s3_matches_local", "test_real_reference_tables", "test_rerun_keeps_surrogate_keys", "test_sample_end_to_end_and_rerun"},
    "test_energy_sample.py": {"test_deterministic"},
    "test_exec.py": {"test_classic_psycopg2_project_runs_unmodified", "test_classic_redshift_connector_project_runs_unmodified_in_child_processes", "test_exec_module_pytest_and_other_hosts", "test_with_no_dwhkit_config_the_project_runs_on_the_embedded_target_beside_it"},
    "test_ingest_changed_objects.py": {"test_dwh_ingest_prints_the_warning_on_stderr"},
    "test_migrations.py": {"test_offline_sql_is_the_redshift_ddl_verbatim", "test_plain_alembic_reads_dwh_config_and_env_password", "test_revision_2_round_trip_keeps_a_loaded_warehouse"},
    "test_migrations_warehouses.py": {"test_alembic_check_passes_on_every_warehouse", "test_autogenerate_drafts_a_model_change", "test_default_section_refuses_another_configured_warehouse", "test_each_warehouse_upgrades_alone_and_matches_its_create_tables", "test_offline_sql_of_a_warehouse_in_its_schema", "test_plain_alembic_revision_autogenerate_on_an_unchanged_model", "test_three_warehouses_in_one_database_move_independently"},
    "test_notebook.py": {"test_notebook_runs_on_loaded_warehouse", "test_notebook_runs_with_nbconvert"},
    "test_privacy_property.py": {"test_privacy_rule_holds_for_any_landing_data"},
    "test_pytest_plugin.py": {"test_a_cluster_run_sends_statements_to_the_cluster", "test_a_postgres_config_gets_its_own_database_there_dropped_afterwards", "test_a_run_that_uses_no_fixture_starts_no_server", "test_each_test_gets_an_empty_database_schemas_apply_and_failures_read_well", "test_module_scope_shares_the_database_within_a_module", "test_the_example_project_passes", "test_xdist_workers_never_share_a_database"},
    "test_report_html.py": {"test_report_page_renders_in_a_browser"},
    "test_translation_store.py": {"test_an_etl_run_keeps_its_translations_for_the_next"},
    "test_report_sessions.py": {"test_a_failing_query_fails_the_report", "test_a_second_session_that_cannot_open_leaves_the_work_to_the_first", "test_the_second_session_answers_queries", "test_two_sessions_give_the_one_session_report"},
    "test_s3_get_client.py": {"test_many_small_objects_load_the_same_rows_as_one_object_and_as_local_files"},
    "test_secrets.py": {"test_bad_password_cli_and_library"},
    "test_security_embedded.py": {"test_a_live_server_that_does_not_answer_says_how_to_recover", "test_a_relocated_folder_someone_else_owns_is_refused", "test_a_start_on_a_full_disk_says_disk_full", "test_an_ordinary_user_runs_the_server_as_themselves", "test_cli_db_url_is_the_user_role_and_the_server_gets_no_secret", "test_planted_predictable_var_tmp_folder_is_never_followed", "test_round_one_cluster_is_upgraded_in_place", "test_round_one_var_tmp_cluster_made_by_root_is_kept", "test_server_environment_holds_no_secret_of_the_process_that_started_it", "test_stale_pid_file_naming_a_dead_process_reads_as_stopped", "test_stale_pid_file_naming_a_live_process_is_detected_and_cleared", "test_stedi_etl_runs_as_the_user_role"},
    "test_serve.py": {"test_dwh_serve_command"},
    "test_stedi_pipeline.py": {"test_real_v2022", "test_real_v2023", "test_sample_end_to_end_and_rerun", "test_sample_from_s3_matches_local", "test_sample_keeps_dimension_keys_on_rerun"},
    "test_targets.py": {"test_dwh_check_and_translate_commands", "test_dwh_check_reads_a_classic_sql_queries_module", "test_wrong_password_never_shows_in_the_error"},
    "test_threads_shared_connection.py": {"test_eight_threads_copy_on_one_connection", "test_failed_copies_under_autocommit_leave_nothing"},
    "test_transient_faults.py": {"test_503_forever_fails_clearly_after_the_retries", "test_503_on_get_and_list_is_retried", "test_body_that_keeps_dropping_fails_clearly_and_loads_nothing", "test_database_connection_killed_mid_copy", "test_manifest_read_is_resumed_too", "test_object_replaced_during_a_resume_is_not_spliced"},
    "test_unload.py": {"test_maxfilesize_parallel_parts_numbered_per_slice_and_gzip_bounded"},
    "test_unload_grammar.py": {"test_option_order_and_keyword_case_do_not_matter"},
    "test_warehouses.py": {"test_two_warehouses_with_a_same_named_table_coexist"},
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    modules = {}
    for item in items:
        file = Path(str(item.fspath)).name
        modules[file] = getattr(item, "module", None)
        if getattr(item, "originalname", item.name) in SLOW_TESTS.get(file, ()):
            item.add_marker(pytest.mark.slow)
    stale = sorted(f"{file}::{name}" for file, module in modules.items() if module is not None
                   for name in SLOW_TESTS.get(file, ()) if not hasattr(module, name))
    if stale:
        raise pytest.UsageError(f"tests/conftest.py SLOW_TESTS names tests that do not exist: {stale}")
