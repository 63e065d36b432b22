"""Schema migrations by ``PRAGMA user_version``; each one applied atomically."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[list[str]] = [
    # 1: foundation: people, families, children, membership, interaction log, conversation states
    [
        """CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            tg_user_id INTEGER UNIQUE,
            tg_chat_id INTEGER,
            role TEXT NOT NULL CHECK (role IN
                ('guardian', 'parent', 'caseworker', 'supervisor', 'admin')),
            display_name TEXT,
            locale TEXT NOT NULL DEFAULT 'zh_CN',
            tz TEXT NOT NULL DEFAULT 'Asia/Shanghai',
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN
                ('active', 'paused', 'opted_out', 'unreachable')),
            status_reason TEXT,
            consent_at TEXT,
            supervisor_id INTEGER REFERENCES people(id),
            quiet_start TEXT NOT NULL DEFAULT '21:30',
            quiet_end TEXT NOT NULL DEFAULT '07:30',
            created_at TEXT NOT NULL,
            forgotten_at TEXT
        )""",
        "CREATE INDEX people_role ON people(role)",
        """CREATE TABLE families (
            id INTEGER PRIMARY KEY,
            village TEXT NOT NULL,
            caseworker_id INTEGER REFERENCES people(id),
            supervisor_id INTEGER REFERENCES people(id),
            cadence TEXT NOT NULL DEFAULT 'daily' CHECK (cadence IN
                ('daily', 'thrice_weekly', 'weekly')),
            consent_confirmed_at TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX families_caseworker ON families(caseworker_id)",
        """CREATE TABLE children (
            id INTEGER PRIMARY KEY,
            family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            birth_month TEXT,
            school TEXT,
            grade TEXT,
            notes TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX children_family ON children(family_id)",
        """CREATE TABLE memberships (
            family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            relation TEXT NOT NULL CHECK (relation IN
                ('grandmother', 'grandfather', 'mother', 'father', 'other_guardian')),
            joined_at TEXT NOT NULL,
            PRIMARY KEY (family_id, person_id)
        )""",
        "CREATE INDEX memberships_person ON memberships(person_id)",
        """CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id),
            family_id INTEGER REFERENCES families(id),
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            kind TEXT NOT NULL,
            summary TEXT,
            tg_chat_id INTEGER,
            tg_message_id INTEGER,
            tg_update_id INTEGER
        )""",
        "CREATE INDEX interactions_person ON interactions(person_id, at)",
        "CREATE INDEX interactions_family ON interactions(family_id, at)",
        """CREATE TABLE conversation_states (
            name TEXT NOT NULL,
            key TEXT NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (name, key)
        )""",
    ],
    # 2: delivery engine: the durable outbox, schedules (rows, not in-memory jobs), alerts
    [
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            dedupe_key TEXT NOT NULL UNIQUE,
            person_id INTEGER REFERENCES people(id),
            chat_id INTEGER NOT NULL,
            lane INTEGER NOT NULL,
            kind TEXT NOT NULL DEFAULT 'text',
            payload TEXT NOT NULL,
            not_before TEXT NOT NULL,
            respect_quiet INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                ('pending', 'sending', 'delivered', 'failed', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            in_doubt INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            delivered_at TEXT,
            tg_message_id INTEGER
        )""",
        "CREATE INDEX outbox_due ON outbox(lane, not_before, id) WHERE status = 'pending'",
        "CREATE INDEX outbox_sending ON outbox(id) WHERE status = 'sending'",
        "CREATE INDEX outbox_person ON outbox(person_id, status)",
        """CREATE TABLE schedules (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            ref_id INTEGER,
            weekdays TEXT,
            local_time TEXT,
            once_at TEXT,
            payload TEXT NOT NULL DEFAULT '{}',
            next_run_at TEXT,
            last_run_at TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX schedules_due ON schedules(next_run_at) WHERE active = 1",
        "CREATE INDEX schedules_person ON schedules(person_id, kind)",
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            family_id INTEGER REFERENCES families(id),
            person_id INTEGER REFERENCES people(id),
            rule TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('urgent', 'high', 'normal')),
            evidence TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN
                ('open', 'acknowledged', 'resolved')),
            level INTEGER NOT NULL DEFAULT 0,
            next_escalation_at TEXT,
            created_at TEXT NOT NULL,
            acknowledged_at TEXT,
            acknowledged_by INTEGER REFERENCES people(id),
            resolved_at TEXT,
            resolved_by INTEGER REFERENCES people(id),
            outcome TEXT,
            resolution_note TEXT
        )""",
        "CREATE INDEX alerts_open ON alerts(status, next_escalation_at)",
        "CREATE INDEX alerts_family ON alerts(family_id, rule, status)",
        """CREATE TABLE alert_events (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            event TEXT NOT NULL,
            actor_id INTEGER REFERENCES people(id),
            detail TEXT
        )""",
        "CREATE INDEX alert_events_alert ON alert_events(alert_id, at)",
    ],
    # 3: onboarding: invites (hashed codes), code attempts, dialogs, preferences, audit log
    [
        """CREATE TABLE invites (
            id INTEGER PRIMARY KEY,
            code_hash TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('staff', 'family')),
            role TEXT NOT NULL CHECK (role IN
                ('guardian', 'parent', 'caseworker', 'supervisor', 'admin')),
            family_id INTEGER REFERENCES families(id) ON DELETE CASCADE,
            relation TEXT,
            invitee_name TEXT,
            supervisor_id INTEGER REFERENCES people(id),
            created_by INTEGER REFERENCES people(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by INTEGER REFERENCES people(id)
        )""",
        "CREATE INDEX invites_family ON invites(family_id)",
        """CREATE TABLE code_attempts (
            id INTEGER PRIMARY KEY,
            tg_user_id INTEGER,
            at TEXT NOT NULL,
            ok INTEGER NOT NULL
        )""",
        "CREATE INDEX code_attempts_user ON code_attempts(tg_user_id, at)",
        """CREATE TABLE dialogs (
            tg_user_id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            step TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL
        )""",
        "ALTER TABLE people ADD COLUMN checkin_time TEXT",
        "ALTER TABLE people ADD COLUMN weekly_day INTEGER",
        "ALTER TABLE people ADD COLUMN weekly_time TEXT",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES people(id),
            action TEXT NOT NULL,
            target TEXT,
            detail TEXT
        )""",
        "CREATE INDEX audit_log_actor ON audit_log(actor_id, at)",
    ],
    # 4: guardian check-ins (one row per guardian, child and local day) and alerts per child
    [
        """CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
            child_id INTEGER REFERENCES children(id) ON DELETE CASCADE,
            guardian_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            local_day TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN
                ('open', 'completed', 'missed', 'partial')),
            mood TEXT,
            health TEXT,
            school TEXT,
            eating_sleeping TEXT,
            worry INTEGER,
            notes TEXT,
            voice_notes INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            answered_at TEXT,
            closed_at TEXT,
            UNIQUE (guardian_id, child_id, local_day)
        )""",
        "CREATE INDEX checkins_family ON checkins(family_id, child_id, local_day)",
        "CREATE INDEX checkins_open ON checkins(status) WHERE status = 'open'",
        "ALTER TABLE alerts ADD COLUMN child_id INTEGER REFERENCES children(id) ON DELETE CASCADE",
    ],
    # 5: parents: calls they made, visits they plan, tips they have seen
    [
        """CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            at TEXT NOT NULL,
            local_day TEXT NOT NULL,
            minutes INTEGER,
            child_mood TEXT
        )""",
        "CREATE INDEX calls_family ON calls(family_id, at)",
        "CREATE INDEX calls_parent ON calls(parent_id, at)",
        """CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            visit_day TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN
                ('planned', 'cancelled', 'happened', 'did_not_happen')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX visits_parent ON visits(parent_id, status)",
        """CREATE TABLE tips_shown (
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            tip_id TEXT NOT NULL,
            shown_at TEXT NOT NULL,
            PRIMARY KEY (person_id, tip_id)
        )""",
    ],
    # 6: caseworkers' notes on a family
    [
        """CREATE TABLE case_notes (
            id INTEGER PRIMARY KEY,
            family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
            author_id INTEGER REFERENCES people(id),
            at TEXT NOT NULL,
            text TEXT NOT NULL
        )""",
        "CREATE INDEX case_notes_family ON case_notes(family_id, at)",
        "CREATE INDEX alerts_created ON alerts(created_at)",
    ],
    # 7: the inbox: every update from Telegram, stored before it is acknowledged
    [
        """CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            raw TEXT NOT NULL,
            received_at TEXT NOT NULL,
            done_at TEXT
        )""",
        "CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL",
    ],
    # 8 (branch ladder): everything passed on for a person carries that person (scrubbed by the
    # tag on /forget), and an alert remembers who holds it now (NULL: nobody reachable yet)
    [
        "ALTER TABLE outbox ADD COLUMN source_person_id INTEGER",
        "CREATE INDEX outbox_source ON outbox(source_person_id) WHERE source_person_id IS NOT NULL",
        "ALTER TABLE alerts ADD COLUMN holder_id INTEGER REFERENCES people(id)",
        "CREATE INDEX alerts_holder ON alerts(holder_id, status)",
    ],
    # branch process: updates that could not be stored are set aside with the reason (no
    # content); a handled update keeps only its id (it held names and words)
    [
        "ALTER TABLE inbox ADD COLUMN quarantined TEXT",
        """UPDATE inbox SET raw = json_object('update_id', update_id)
           WHERE done_at IS NOT NULL""",
    ],
    # branch risk: normal-level topics heard in a family's words (no text, no person), counted
    # in the parents' weekly message and the caseworker's digest
    [
        """CREATE TABLE topic_mentions (
            id INTEGER PRIMARY KEY,
            family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
            topic TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX topic_mentions_family_at ON topic_mentions(family_id, at)",
    ],
    # branch sender (issue 13.1/13.14): a message may carry the moment after which it is
    # pointless (a check-in question hours late); alerts never get one
    [
        "ALTER TABLE outbox ADD COLUMN expires_at TEXT",
        "CREATE INDEX outbox_expiry ON outbox(expires_at) "
        "WHERE status = 'pending' AND expires_at IS NOT NULL",
    ],
    # branch tests15 (issue 15.7): dead code gone. No ConversationHandler ever used the PTB
    # persistence table (dialogs are rows), and nothing produces the generic "reminder"
    # schedule kind any more (a row of it would only be deactivated by the sweep).
    [
        "DROP TABLE IF EXISTS conversation_states",
        "DELETE FROM schedules WHERE kind = 'reminder'",
    ],
    # branch shape (issue 15.6): the 🆘 dialog's kind was "help", easily taken for /help (the
    # manual); a 🆘 open across the upgrade stays one
    [
        "UPDATE dialogs SET kind = 'sos' WHERE kind = 'help'",
    ],
    # branch spread (issue 13.14): prompts that fall due together wait for a send slot
    # (spread_key: their place in the day's fair order) and then keep the slot they were given;
    # the claim's index leaves out rows still waiting for a slot
    [
        "ALTER TABLE outbox ADD COLUMN spread_key INTEGER",
        "ALTER TABLE outbox ADD COLUMN slot TEXT",
        "DROP INDEX IF EXISTS outbox_due",
        "CREATE INDEX outbox_due ON outbox(lane, not_before, id) "
        "WHERE status = 'pending' AND spread_key IS NULL",
        "CREATE INDEX outbox_spread ON outbox(spread_key, id) "
        "WHERE status = 'pending' AND spread_key IS NOT NULL",
        "CREATE INDEX outbox_slot ON outbox(slot) WHERE slot IS NOT NULL",
        "CREATE INDEX outbox_person_slot ON outbox(person_id, slot) WHERE slot IS NOT NULL",
    ],
    # branch families (issue 17.4): what a guardian tells about the child with no concern is
    # kept for the parents' weekly message instead of being forwarded; deleted by /forget
    [
        """CREATE TABLE kept_words (
            id INTEGER PRIMARY KEY,
            family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
            person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            local_day TEXT NOT NULL,
            mood TEXT,
            text TEXT NOT NULL
        )""",
        "CREATE INDEX kept_words_family_day ON kept_words(family_id, local_day)",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION, one atomic transaction per migration."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema {current} is newer than this code ({SCHEMA_VERSION}); upgrade KinBridge"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return SCHEMA_VERSION
