-- Lockstep FSM store, schema version 1.
-- Entities: ids are unique per store; the machine is a column, so `fsm state ENTITY` needs no
-- machine. version counts committed transitions.
CREATE TABLE fsm_entity (
  id         TEXT PRIMARY KEY,
  machine    TEXT NOT NULL,
  state      TEXT NOT NULL,
  version    INTEGER NOT NULL,
  data       TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL
) WITHOUT ROWID;

-- The attempt log: every fire and every failed effect dispatch. seq is the recording order;
-- attempt_id is chosen by the engine (random, not unique by constraint).
CREATE TABLE fsm_attempt (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  attempt_id   INTEGER NOT NULL,
  at_ns        INTEGER NOT NULL,
  machine      TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  event        TEXT NOT NULL,
  from_state   TEXT,
  to_state     TEXT,
  guard        TEXT,
  guard_result TEXT NOT NULL,
  outcome      TEXT NOT NULL,
  error        TEXT,
  version      INTEGER NOT NULL
);
CREATE INDEX fsm_attempt_entity ON fsm_attempt (entity_id, seq);
CREATE INDEX fsm_attempt_id ON fsm_attempt (attempt_id);

-- The outbox: after-commit effects, written in the transition's transaction.
-- (entity_id, version, effect) is the idempotency key.
CREATE TABLE fsm_outbox (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  machine       TEXT NOT NULL,
  entity_id     TEXT NOT NULL,
  version       INTEGER NOT NULL,
  effect        TEXT NOT NULL,
  event         TEXT NOT NULL,
  from_state    TEXT NOT NULL,
  to_state      TEXT NOT NULL,
  payload       TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_ns       INTEGER NOT NULL,
  dispatched_ns INTEGER,
  last_error    TEXT,
  UNIQUE (entity_id, version, effect)
);
CREATE INDEX fsm_outbox_pending ON fsm_outbox (next_ns) WHERE dispatched_ns IS NULL;
