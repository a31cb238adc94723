"""Security finding: a customer who withdrew research consent must not get past landing.

One regression test per way round one let them through (an undated consenting record outranking
a dated withdrawal; a tie on the date; Unicode whitespace or case around the email; a consent
dated in the future), and for each, proof that the report's privacy checks now catch the leak
(the rows round one wrote, put back by hand after a correct run, fail a check)."""
from __future__ import annotations

import pytest

from dwhkit.warehouses.stedi.sql import email_key, normalise_email

from .test_stedi_lake import (BASE, FUTURE, customer, emails_everywhere, failed_checks, outcomes, reading,
                              report_of, rows, run, step, write_lake)

ANN = "ann@x.io"


def lake_for(tmp_path, *records):
    """Ann's records, plus Bob (consenting) so the warehouse is never empty; both have readings
    and a step trainer each, at the same instants, so every table past landing is exercised."""
    customers = [*records, customer("bob@x.io", serial="s-bob", consent=BASE - 500)]
    readings = [reading(ANN, BASE + k) for k in range(3)] + [reading("bob@x.io", BASE + k) for k in range(3)]
    steps = [step("s-ann", BASE + k) for k in range(3)] + [step("s-bob", BASE + k) for k in range(3)]
    return write_lake(tmp_path / "lake", customers, readings, steps)


def assert_ann_absent(config, report):
    for table, emails in emails_everywhere(config).items():
        assert ANN not in emails, table
        assert not any(e != normalise_email(e) for e in emails), (table, emails)
    assert "bob@x.io" in emails_everywhere(config)["machine_learning_curated"]
    assert rows(config, "SELECT COUNT(*) FROM step_trainer_trusted WHERE serial_number = 's-ann'") == [(0,)]
    assert not failed_checks(report), failed_checks(report)


def leak_ann(config, consent_ms=BASE - 500):
    """Put back what round one's ETL wrote for Ann: a trusted, curated customer with a dimension row."""
    rows(config, "INSERT INTO customer_trusted (email, research_consent_at) "
                 "VALUES (%s, TIMESTAMP 'epoch' + %s * INTERVAL '1 millisecond')", (ANN, consent_ms))
    rows(config, "INSERT INTO dim_customer (email, research_consent_at) SELECT email, research_consent_at "
                 "FROM customer_trusted WHERE email = %s", (ANN,))
    rows(config, "INSERT INTO accelerometer_trusted (email, reading_ms, reading_at) "
                 "VALUES (%s, %s, TIMESTAMP 'epoch' + %s * INTERVAL '1 millisecond')", (ANN, BASE, BASE))


def assert_checks_catch_the_leak(config, consent_ms=BASE - 500):
    leak_ann(config, consent_ms)
    failed = failed_checks(report_of(config))
    assert any(name.startswith("privacy: every customer past landing consents") for name in failed), failed


def test_undated_consent_never_outranks_a_dated_withdrawal(dwh_config, tmp_path):
    lake = lake_for(tmp_path,
                    customer(ANN, serial="s-ann", consent=BASE - 900, updated=None),   # consent, no date
                    customer(ANN, serial="s-ann", consent=None, updated=BASE - 100))   # dated withdrawal
    report = run(dwh_config, lake)
    assert_ann_absent(dwh_config, report)
    assert outcomes(report, "customer: landing → trusted")["superseded by a newer record of the same customer"] == 1
    assert_checks_catch_the_leak(dwh_config)


def test_undated_withdrawal_never_outranks_a_dated_consent(dwh_config, tmp_path):
    """The other way round: the dated record decides, so here Ann consents (nothing over-filtered)."""
    lake = lake_for(tmp_path,
                    customer(ANN, serial="s-ann", consent=None, updated=None),
                    customer(ANN, serial="s-ann", consent=BASE - 900, updated=BASE - 100))
    report = run(dwh_config, lake)
    assert ANN in emails_everywhere(dwh_config)["machine_learning_curated"]
    assert not failed_checks(report)


@pytest.mark.parametrize("updated", [BASE - 100, None], ids=["same date", "both undated"])
def test_records_tied_on_the_date_resolve_to_no_consent(dwh_config, tmp_path, updated):
    lake = lake_for(tmp_path,
                    customer(ANN, serial="s-ann", consent=BASE - 900, updated=updated),
                    customer(ANN, serial="s-ann", consent=None, updated=updated),
                    customer(ANN, serial="s-ann", consent=BASE - 800, updated=updated))
    report = run(dwh_config, lake)
    assert_ann_absent(dwh_config, report)
    assert_checks_catch_the_leak(dwh_config)


def test_consenting_records_tied_on_the_date_keep_the_latest_consent(dwh_config, tmp_path):
    lake = lake_for(tmp_path,
                    customer(ANN, serial="s-ann", consent=BASE - 800, updated=BASE - 100),
                    customer(ANN, serial="s-ann", consent=BASE - 900, updated=BASE - 100))
    report = run(dwh_config, lake)
    assert not failed_checks(report)
    assert rows(dwh_config, "SELECT research_consent_at = TIMESTAMP 'epoch' + %s * INTERVAL '1 millisecond' "
                            "FROM customer_trusted WHERE email = %s", (BASE - 800, ANN)) == [(True,)]


@pytest.mark.parametrize("withdrawing_email", [
    "ann@x.io\t", "ann@x.io\u00a0", "\u3000Ann@X.io", "\ufeffann@x.io\u200b", " ANN@x.io\u2003\n",
], ids=["tab", "no-break space", "ideographic space + case", "BOM + zero-width space", "em space + case"])
def test_withdrawal_with_unicode_whitespace_or_case_is_the_same_customer(dwh_config, tmp_path, withdrawing_email):
    lake = lake_for(tmp_path,
                    customer(ANN, serial="s-ann", consent=BASE - 900, updated=BASE - 200),
                    customer(withdrawing_email, serial="s-ann", consent=None, updated=BASE - 100))
    report = run(dwh_config, lake)
    assert_ann_absent(dwh_config, report)
    assert_checks_catch_the_leak(dwh_config)


def test_readings_under_a_variant_of_the_email_are_the_customers(dwh_config, tmp_path):
    """The same normalisation on the accelerometer's user: Ann's readings under '\\tANN@x.io\\u00a0'
    are hers (kept, under her key), and attribute her step-trainer readings."""
    lake = write_lake(tmp_path / "lake",
                      [customer(" Ann@X.io\u00a0", serial="s-ann", consent=BASE - 900)],
                      [reading("\tANN@x.io\u00a0", BASE + k) for k in range(3)],
                      [step("s-ann", BASE + k) for k in range(3)])
    report = run(dwh_config, lake)
    assert not failed_checks(report)
    assert rows(dwh_config, "SELECT DISTINCT email FROM accelerometer_trusted") == [(ANN,)]
    assert rows(dwh_config, "SELECT COUNT(*) FROM machine_learning_curated") == [(3,)]


def test_future_consent_is_no_consent(dwh_config, tmp_path):
    lake = lake_for(tmp_path, customer(ANN, serial="s-ann", consent=FUTURE, updated=BASE - 100))
    report = run(dwh_config, lake)
    assert_ann_absent(dwh_config, report)
    assert outcomes(report, "customer: landing → trusted")["research consent not yet in force"] == 1
    assert_checks_catch_the_leak(dwh_config, consent_ms=FUTURE)


def test_consent_given_withdrawn_and_given_again(dwh_config, tmp_path):
    lake = lake_for(tmp_path,
                    customer(ANN, serial="s-ann", consent=BASE - 900, updated=BASE - 300),
                    customer(ANN, serial="s-ann", consent=None, updated=BASE - 200),
                    customer(ANN, serial="s-ann", consent=BASE - 150, updated=BASE - 100))
    report = run(dwh_config, lake)
    assert not failed_checks(report)
    assert rows(dwh_config, "SELECT research_consent_at = TIMESTAMP 'epoch' + %s * INTERVAL '1 millisecond' "
                            "FROM dim_customer WHERE email = %s", (BASE - 150, ANN)) == [(True,)]


def test_checks_catch_a_stale_consent_date(dwh_config, tmp_path):
    """Given, withdrawn, given again: keeping the first consent date is a privacy failure too."""
    lake = lake_for(tmp_path,
                    customer(ANN, serial="s-ann", consent=BASE - 900, updated=BASE - 300),
                    customer(ANN, serial="s-ann", consent=None, updated=BASE - 200),
                    customer(ANN, serial="s-ann", consent=BASE - 150, updated=BASE - 100))
    run(dwh_config, lake)
    rows(dwh_config, "UPDATE customer_trusted SET research_consent_at = TIMESTAMP 'epoch' + %s * INTERVAL "
                     "'1 millisecond' WHERE email = %s", (BASE - 900, ANN))
    assert "privacy: the consent date kept is the one in force" in failed_checks(report_of(dwh_config))


def test_one_email_key_everywhere(dwh_config):
    """email_key() on the real server agrees with its Python twin on Unicode whitespace and case."""
    samples = ["ann@x.io\t", "\u00a0Ann@X.io", "\u2000\u200a\u200bann@x.io\u3000\ufeff", "\u2028a@b.c\u2029",
               "a b@c.d", "\t\n ", "", "ÉCOLE@x.io\u202f"]
    got = rows(dwh_config, "SELECT " + ", ".join(email_key(f"CAST(%s AS VARCHAR(64))") for _ in samples),
               tuple(samples))[0]
    assert list(got) == [normalise_email(s) for s in samples]
