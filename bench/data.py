"""The benchmark's data set, loaded with set-based SQL (`INSERT … SELECT generate_series(…)`) on
PostgreSQL: a few statements however large the data, so the full data set loads in well under a minute.

Sizes at BENCH_SCALE=1 (the issue's): 20 centres with one year of slots (≈ 300 000), 50 000 users,
200 000 finished attempts, 100 000 bookings. Smaller scales shrink everything but the year of slots
per centre and keep at least a handful of each so that every scenario still has something to do.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.rounds import lottery

# One hour per exam, five a day, for theory and practical in the four commonest categories:
# 20 centres x 365 days x 40 = 292 000 slots.
HOURS = (9, 10, 11, 12, 13)
CATEGORIES = ("A", "B", "C", "D")
EXAM_TYPES = ("theory", "practical")
CAPACITY = 20
DAYS_BEFORE, DAYS_AFTER = 182, 182
RUSH_CATEGORY = "BE"  # the rush slot's own category, so it never collides with the generated ones
PAST_STATUSES = ("passed", "failed", "cancelled", "no-show")


@dataclass(frozen=True)
class Sizes:
    centres: int
    users: int
    attempts: int
    bookings: int
    rush_clients: int
    rush_places: int
    holds: int
    reminders: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def scaled(full: int, least: int) -> int:
            return max(least, round(full * scale))

        return cls(
            centres=scaled(20, 2),
            users=scaled(50_000, 200),
            attempts=scaled(200_000, 200),
            bookings=scaled(100_000, 100),
            rush_clients=scaled(1_000, 20),
            rush_places=scaled(50, 5),
            holds=scaled(100_000, 100),
            reminders=scaled(10_000, 50),
        )


@dataclass(frozen=True)
class Plan:
    """What the load process and the in-process scenarios need to know about the loaded data."""

    password: str
    token_prefix: str  # a user's bearer token is token_prefix + str(user id)
    web_emails: list[str]
    api_user_ids: list[int]
    rush_user_ids: list[int]
    rush_slot_id: int
    centre_code: str
    month: str  # YYYY-MM-DD, the first day of the month the calendar shows
    staff_email: str
    roster_slot_id: int
    profile: str
    round_id: int  # an open fair-release round the rush's applicants file requests in
    round_choices: list  # what each of them asks for: a day part, then slots

    def as_dict(self) -> dict:
        return asdict(self)


def load(connection: sa.Connection, sizes: Sizes) -> Plan:
    """Load the data set into an empty, migrated database that already holds the question bank."""
    password = secrets.token_urlsafe(12)
    token_prefix = f"bench-{secrets.token_hex(16)}-"
    run = connection.execute
    params = {"hash": generate_password_hash(password), "capacity": CAPACITY, **asdict(sizes)}

    run(
        sa.text(
            """
            INSERT INTO centre (code, name_kk, name_ru, name_en, city_kk, city_ru, city_en,
                                address_kk, address_ru, address_en, timezone, created_at)
            SELECT 'BN' || n, 'Орталық ' || n, 'Центр ' || n, 'Centre ' || n, 'Қала ' || n, 'Город ' || n,
                   'City ' || n, 'Көше ' || n, 'Улица ' || n, 'Street ' || n, 'Asia/Almaty', now()
            FROM generate_series(1, CAST(:centres AS int)) AS n
            """
        ),
        params,
    )
    # Slots from half a year ago to half a year ahead, at the centre's local hours.
    run(
        sa.text(
            """
            INSERT INTO slot (centre_id, exam_type, category, starts_at, ends_at, capacity, booked, created_at)
            SELECT c.id, t.exam_type, k.category, s.starts_at, s.starts_at + interval '1 hour', :capacity, 0, now()
            FROM centre c
            CROSS JOIN unnest(CAST(:types AS text[])) AS t(exam_type)
            CROSS JOIN unnest(CAST(:categories AS text[])) AS k(category)
            CROSS JOIN generate_series(-CAST(:before AS int), CAST(:after AS int)) AS d(day)
            CROSS JOIN unnest(CAST(:hours AS int[])) AS h(hour)
            CROSS JOIN LATERAL (
                SELECT ((current_date + d.day) + make_time(h.hour, 0, 0)) AT TIME ZONE c.timezone AS starts_at
            ) s
            """
        ),
        {
            **params,
            "types": list(EXAM_TYPES),
            "categories": list(CATEGORIES),
            "hours": list(HOURS),
            "before": DAYS_BEFORE,
            "after": DAYS_AFTER,
        },
    )
    # Applicants (ids in insertion order: the first `users`, then the rush's own), one staff per centre.
    run(
        sa.text(
            """
            INSERT INTO user_account (email, password_hash, full_name, iin, language, role, active,
                                      failed_logins, created_at, updated_at)
            SELECT 'bench-' || n || '@example.kz', :hash, 'Bench User ' || n, lpad(n::text, 12, '0'),
                   (ARRAY['kk', 'ru', 'en'])[1 + n % 3], 'user', true, 0, now(), now()
            FROM generate_series(1, CAST(:users + :rush_clients AS int)) AS n
            """
        ),
        params,
    )
    run(
        sa.text(
            """
            INSERT INTO user_account (email, password_hash, full_name, iin, role, centre_id, active,
                                      failed_logins, created_at, updated_at)
            SELECT 'staff-' || lower(c.code) || '@example.kz', :hash, 'Staff ' || c.code,
                   lpad((900000000 + c.id)::text, 12, '0'), 'staff', c.id, true, 0, now(), now()
            FROM centre c
            """
        ),
        params,
    )
    run(
        sa.text(
            """
            INSERT INTO api_token (user_id, token_hash, created_at, expires_at)
            SELECT u.id, encode(sha256(convert_to(:prefix || u.id, 'UTF8')), 'hex'), now(), now() + interval '1 day'
            FROM user_account u WHERE u.role = 'user'
            """
        ),
        {"prefix": token_prefix},
    )
    user_ids = list(connection.scalars(sa.text("SELECT id FROM user_account WHERE role = 'user' ORDER BY id")).all())
    regular, rush = user_ids[: sizes.users], user_ids[sizes.users :]
    add_history(connection, regular[0], regular[-1], sizes.attempts, sizes.bookings)
    # One in twenty bookings is ahead: a confirmed theory exam (one per applicant, as the rules say).
    run(
        sa.text(
            """
            WITH ahead AS (
                SELECT id, category, row_number() OVER (ORDER BY starts_at, id) AS n
                FROM slot WHERE exam_type = 'theory' AND starts_at > now() + interval '2 days'
            )
            INSERT INTO booking (user_id, slot_id, exam_type, category, status, ticket, consent_at, fee_receipt,
                                 ics_sequence, reschedule_count, created_at, confirmed_at)
            SELECT :first + g.i, a.id, 'theory', a.category, 'confirmed', 'BF-' || g.i, now(), 'R-' || g.i,
                   0, 0, now(), now()
            FROM generate_series(0, CAST(:ahead AS int) - 1) AS g(i)
            JOIN ahead a ON a.n = 1 + g.i % (SELECT count(*) FROM ahead)
            """
        ),
        {"first": regular[0], "ahead": min(len(regular), max(1, sizes.bookings // 20))},
    )
    _recount_booked(connection)
    centre_id, centre_code = connection.execute(sa.text("SELECT id, code FROM centre ORDER BY id LIMIT 1")).one()
    rush_slot_id = connection.scalar(
        sa.text(
            """
            INSERT INTO slot (centre_id, exam_type, category, starts_at, ends_at, capacity, booked, created_at)
            VALUES (:centre, 'theory', :category, ((current_date + 3) + time '15:00') AT TIME ZONE 'Asia/Almaty',
                    ((current_date + 3) + time '16:00') AT TIME ZONE 'Asia/Almaty', :places, 0, now())
            RETURNING id
            """
        ),
        {"centre": centre_id, "category": RUSH_CATEGORY, "places": sizes.rush_places},
    )
    roster_slot_id = connection.scalar(
        sa.text(
            "SELECT s.id FROM slot s JOIN booking b ON b.slot_id = s.id WHERE s.centre_id = :centre "
            "GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 1"
        ),
        {"centre": centre_id},
    )
    round_id, round_choices = add_open_round(connection, centre_id, rush)
    month = connection.scalar(sa.text("SELECT CAST(date_trunc('month', current_date + 31) AS date)"))
    return Plan(
        password=password,
        token_prefix=token_prefix,
        web_emails=[f"bench-{n}@example.kz" for n in range(1, 5)],
        api_user_ids=regular[:4],
        rush_user_ids=rush,
        rush_slot_id=rush_slot_id,
        centre_code=centre_code,
        month=month.isoformat(),
        staff_email=f"staff-{centre_code.lower()}@example.kz",
        roster_slot_id=roster_slot_id,
        profile="B",
        round_id=round_id,
        round_choices=round_choices,
    )


def add_open_round(connection: sa.Connection, centre_id: int, user_ids: list[int]) -> tuple[int, list]:
    """A fair-release round open for requests (drawn a day later, never during the run) over five
    slots of the rush's category ten days ahead (09:00 to 13:00, Almaty), and phones confirmed for
    the applicants who will file in it (the rule for filing). Returns the round and the choices."""
    seed = lottery.new_seed()
    round_id = connection.scalar(
        sa.text(
            """
            INSERT INTO release_round (centre_id, exam_type, category, opens_at, draw_at, status, seed,
                                       seed_sha256, created_at)
            VALUES (:centre, 'theory', :category, now() - interval '1 minute', now() + interval '1 day',
                    'announced', :seed, :sha, now())
            RETURNING id
            """
        ),
        {"centre": centre_id, "category": RUSH_CATEGORY, "seed": seed, "sha": lottery.commitment(seed)},
    )
    slot_ids = connection.scalars(
        sa.text(
            """
            INSERT INTO slot (centre_id, exam_type, category, starts_at, ends_at, capacity, booked, round_id,
                              created_at)
            SELECT :centre, 'theory', :category, ((current_date + 10) + make_time(h, 0, 0)) AT TIME ZONE 'Asia/Almaty',
                   ((current_date + 10) + make_time(h + 1, 0, 0)) AT TIME ZONE 'Asia/Almaty', 10, 0, :round, now()
            FROM unnest(CAST(:hours AS int[])) AS h
            RETURNING id
            """
        ),
        {"centre": centre_id, "category": RUSH_CATEGORY, "round": round_id, "hours": list(HOURS)},
    ).all()
    connection.execute(
        sa.text("UPDATE user_account SET phone = '+77010000000', phone_confirmed_at = now() WHERE id = ANY(:ids)"),
        {"ids": user_ids},
    )
    day = connection.scalar(sa.text("SELECT CAST(current_date + 10 AS date)")).isoformat()
    return round_id, [{"date": day, "part": "morning"}, *sorted(slot_ids)[-2:]]


def add_history(connection: sa.Connection, first_user: int, last_user: int, attempts: int, bookings: int) -> None:
    """Finished attempts and past bookings, spread over the applicants first_user..last_user.

    Called once by `load`, and again to grow the data tenfold for the statements-per-page check."""
    users = last_user - first_user + 1
    connection.execute(
        sa.text(
            """
            INSERT INTO attempt (user_id, profile_id, mode, language, status, started_at, deadline, finished_at,
                                 pass_mark, total, correct, passed, current_position)
            SELECT :first + g.i % :users, p.id, 'exam', (ARRAY['kk', 'ru', 'en'])[1 + g.i % 3], 'finished',
                   now() - g.i * interval '1 minute' - interval '1 hour',
                   now() - g.i * interval '1 minute' - interval '20 minutes',
                   now() - g.i * interval '1 minute' - interval '30 minutes', 32, 40, 20 + g.i % 21,
                   20 + g.i % 21 >= 32, 40
            FROM generate_series(0, CAST(:attempts AS int) - 1) AS g(i)
            CROSS JOIN (SELECT id FROM exam_profile WHERE code = 'B') p
            """
        ),
        {"first": first_user, "users": users, "attempts": attempts},
    )
    connection.execute(
        sa.text(
            """
            WITH past AS (
                SELECT id, exam_type, category, row_number() OVER (ORDER BY id) AS n
                FROM slot WHERE starts_at < now() - interval '1 day'
            ), numbered AS (
                SELECT g.i, :offset + g.i AS k FROM generate_series(0, CAST(:bookings AS int) - 1) AS g(i)
            )
            INSERT INTO booking (user_id, slot_id, exam_type, category, status, ticket, ics_sequence,
                                 reschedule_count, created_at, confirmed_at, result_at)
            SELECT :first + x.i % :users, p.id, p.exam_type, p.category, (CAST(:statuses AS text[]))[1 + x.i % 4],
                   'BP-' || x.k, 0, 0, now() - interval '200 days', now() - interval '200 days', now()
            FROM numbered x
            JOIN past p ON p.n = 1 + x.k % (SELECT count(*) FROM past)
            """
        ),
        {
            "first": first_user,
            "users": users,
            "bookings": bookings,
            "statuses": list(PAST_STATUSES),
            "offset": connection.scalar(sa.text("SELECT count(*) FROM booking")),
        },
    )


def _recount_booked(connection: sa.Connection) -> None:
    """Every slot's `booked` is the number of places its bookings take (as the booking services keep it)."""
    connection.execute(
        sa.text(
            """
            UPDATE slot SET booked = taken.n
            FROM (SELECT slot_id, count(*) AS n FROM booking
                  WHERE status NOT IN ('cancelled', 'expired') GROUP BY slot_id) taken
            WHERE slot.id = taken.slot_id
            """
        )
    )


def grow(connection: sa.Connection, sizes: Sizes, centre_code: str, month: str) -> None:
    """Make the data tenfold around the pages measured: nine more times the attempts and past bookings,
    and nine more slots beside each of the centre's slots in the month its calendar shows."""
    first, last = connection.execute(
        sa.text(
            "SELECT min(id), max(id) FROM (SELECT id FROM user_account WHERE role = 'user' ORDER BY id LIMIT :n) u"
        ),
        {"n": sizes.users},
    ).one()
    add_history(connection, first, last, 9 * sizes.attempts, 9 * sizes.bookings)
    connection.execute(
        sa.text(
            """
            INSERT INTO slot (centre_id, exam_type, category, starts_at, ends_at, capacity, booked, created_at)
            SELECT s.centre_id, s.exam_type, s.category, s.starts_at + m.minutes * interval '1 minute',
                   s.ends_at + m.minutes * interval '1 minute', s.capacity, 0, now()
            FROM slot s JOIN centre c ON c.id = s.centre_id
            CROSS JOIN generate_series(5, 45, 5) AS m(minutes)
            WHERE c.code = :code AND s.starts_at >= CAST(:month AS date) - 7
              AND s.starts_at < CAST(:month AS date) + 38
            """
        ),
        {"code": centre_code, "month": month},
    )
    _recount_booked(connection)


def analyze(connection: sa.Connection) -> None:
    """Table statistics for the planner, as autovacuum keeps them in production: a server running
    with autovacuum off (this machine's test server) would otherwise plan every query of the run
    for empty tables."""
    connection.exec_driver_sql("ANALYZE")
