"""A step-trainer reading belongs to the one customer who registered its serial; where several did
(v2022: 30 serials shared by hundreds of customers), to the one whose accelerometer readings fall at
that instant (landing data, consenting or not: read to decide, never copied). Two candidates:
ambiguous; none: unattributed. It is trusted only if its owner is a curated customer."""
from __future__ import annotations

from .test_stedi_lake import (BASE, customer, emails_everywhere, failed_checks, outcomes, reading, report_of,
                              rows, run, step, write_lake)

T = {k: BASE + k * 1000 for k in range(1, 8)}


def shared_lake(tmp_path):
    customers = [
        customer("ann@x.io", serial="s-shared", consent=BASE - 9000),
        customer("bob@x.io", serial="s-shared"),                        # never consented
        customer("cy@x.io", serial="s-shared", consent=BASE - 9000),    # consents, no accelerometer data
        customer("ANN@x.io\u00a0", serial="s-ann", consent=BASE - 9000, updated=BASE + 1),  # Ann's second device
        customer("cy@x.io", serial="s-cy", consent=BASE - 9000, updated=BASE + 1),
    ]
    readings = [reading("ann@x.io", T[1]), reading("bob@x.io", T[2], x=7.0),
                reading("ann@x.io", T[3]), reading("bob@x.io", T[3], x=7.0)]
    steps = [step("s-shared", T[1]),       # only Ann was there: hers
             step("s-shared", T[2]),       # only Bob: his, and he does not consent
             step("s-shared", T[3]),       # Ann and Bob: ambiguous
             step("s-shared", T[4]),       # nobody: unattributed
             step("s-ann", T[5]),          # Ann's own device, no phone reading then: hers, not in ML
             step("s-cy", T[6]),           # Cy's own device: Cy consents but is not curated
             step("s-nobody", T[7])]       # nobody registered it
    return write_lake(tmp_path / "lake", customers, readings, steps)


def test_readings_go_to_their_owner_and_every_drop_is_named(dwh_config, tmp_path):
    report = run(dwh_config, shared_lake(tmp_path))
    assert not failed_checks(report), failed_checks(report)
    assert sorted(rows(dwh_config, "SELECT serial_number, reading_ms FROM step_trainer_trusted")) == \
        [("s-ann", T[5]), ("s-shared", T[1])]
    assert outcomes(report, "step trainer: landing → trusted") == {
        "moved on": 2,
        "no research consent": 1,
        "ambiguous owner (two or more candidates)": 1,
        "unattributed (no registered customer's readings at that instant)": 1,
        "owner not curated (no accelerometer data)": 1,
        "reading of an unknown device": 1,
    }
    assert outcomes(report, "step trainer: trusted → machine learning") == {
        "moved on": 1, "no accelerometer reading of its owner at that instant": 1}
    ml = rows(dwh_config, """SELECT c.email, d.serial_number, m.reading_ms, m.x FROM machine_learning_curated m
                             JOIN dim_customer c USING (customer_key) JOIN dim_device d USING (device_key)""")
    assert ml == [("ann@x.io", "s-shared", T[1], 0.0)]
    # Bob's readings decided ownership, and were not copied anywhere
    assert not any("bob@x.io" in emails for emails in emails_everywhere(dwh_config).values())
    assert rows(dwh_config, "SELECT COUNT(*) FROM accelerometer_trusted WHERE x = 7") == [(0,)]


def test_checks_catch_a_reading_of_someone_else(dwh_config, tmp_path):
    """Round one trusted a shared device's readings by serial; the check recomputes the owner."""
    run(dwh_config, shared_lake(tmp_path))
    rows(dwh_config, "INSERT INTO step_trainer_trusted (serial_number, reading_ms, reading_at, distance_from_object) "
                     "VALUES ('s-shared', %s, TIMESTAMP 'epoch' + %s * INTERVAL '1 millisecond', 200)", (T[2], T[2]))
    failed = failed_checks(report_of(dwh_config))
    assert failed == {"privacy: each step-trainer reading belongs to one curated, consenting customer": 1}, failed
