-- Named statements of the SQLite FSM store. Each starts with a "-- name:" line.

-- name: insert_entity
INSERT INTO fsm_entity (id, machine, state, version, data, created_ns, updated_ns)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING

-- name: read_entity
SELECT machine, state, version, data FROM fsm_entity WHERE id = ?

-- name: read_head
SELECT machine, state, version FROM fsm_entity WHERE id = ?

-- name: read_version
SELECT version FROM fsm_entity WHERE id = ?

-- name: all_entities
SELECT id, machine, state, version, data FROM fsm_entity ORDER BY id

-- name: advance
UPDATE fsm_entity SET state = ?, version = version + 1, updated_ns = ? WHERE id = ? AND version = ?

-- name: insert_attempt
INSERT INTO fsm_attempt (attempt_id, at_ns, machine, entity_id, event, from_state, to_state, guard,
  guard_result, outcome, error, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: find_attempt
-- (the rows indexed by attempt id, then the unindexed tail; column 13, seq, only orders them)
SELECT attempt_id, at_ns, machine, entity_id, event, from_state, to_state, guard, guard_result,
  outcome, error, version, seq
FROM fsm_attempt WHERE seq IN (SELECT seq FROM fsm_attempt_by_id WHERE attempt_id = ?1)
  AND entity_id = ?2
UNION ALL
SELECT attempt_id, at_ns, machine, entity_id, event, from_state, to_state, guard, guard_result,
  outcome, error, version, seq
FROM fsm_attempt WHERE seq > (SELECT upto FROM fsm_attempt_indexed) AND attempt_id = ?1
  AND entity_id = ?2
ORDER BY 13

-- name: find_attempt_exact
-- (ids of two processes can repeat within a millisecond: time and event tell them apart)
SELECT attempt_id, at_ns, machine, entity_id, event, from_state, to_state, guard, guard_result,
  outcome, error, version, seq
FROM fsm_attempt WHERE seq IN (SELECT seq FROM fsm_attempt_by_id WHERE attempt_id = ?1)
  AND entity_id = ?2 AND at_ns = ?3 AND event = ?4
UNION ALL
SELECT attempt_id, at_ns, machine, entity_id, event, from_state, to_state, guard, guard_result,
  outcome, error, version, seq
FROM fsm_attempt WHERE seq > (SELECT upto FROM fsm_attempt_indexed) AND attempt_id = ?1
  AND entity_id = ?2 AND at_ns = ?3 AND event = ?4
ORDER BY 13

-- name: history
-- (the rows indexed by entity, then the unindexed tail; column 13, seq, only orders them)
SELECT attempt_id, at_ns, machine, entity_id, event, from_state, to_state, guard, guard_result,
  outcome, error, version, seq
FROM fsm_attempt WHERE seq IN (SELECT seq FROM fsm_attempt_by_entity WHERE entity_id = ?1)
UNION ALL
SELECT attempt_id, at_ns, machine, entity_id, event, from_state, to_state, guard, guard_result,
  outcome, error, version, seq
FROM fsm_attempt WHERE seq > (SELECT upto FROM fsm_attempt_indexed) AND entity_id = ?1
ORDER BY 13

-- name: attempts_unindexed
SELECT upto, (SELECT coalesce(max(seq), 0) FROM fsm_attempt) FROM fsm_attempt_indexed

-- name: index_attempts
INSERT INTO fsm_attempt_by_entity (entity_id, seq)
SELECT entity_id, seq FROM fsm_attempt WHERE seq > ? AND seq <= ? ORDER BY entity_id, seq

-- name: attempts_indexed
UPDATE fsm_attempt_indexed SET upto = ?

-- name: insert_outbox
INSERT INTO fsm_outbox (machine, entity_id, version, effect, event, from_state, to_state, payload,
  next_ns)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: pending_outbox
SELECT id, machine, entity_id, version, effect, event, from_state, to_state, payload, attempts,
  next_ns, dispatched_ns, last_error
FROM fsm_outbox WHERE dispatched_ns IS NULL AND next_ns <= ? ORDER BY next_ns, id LIMIT ?

-- name: pending_outbox_for
-- (?2: the effects wanted, a JSON array of [machine, effect] pairs; the pending index is scanned
-- in order, each row checked against them)
SELECT id, machine, entity_id, version, effect, event, from_state, to_state, payload, attempts,
  next_ns, dispatched_ns, last_error
FROM fsm_outbox WHERE dispatched_ns IS NULL AND next_ns <= ?1
  AND (machine, effect) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')
    FROM json_each(?2))
ORDER BY next_ns, id LIMIT ?3

-- name: entity_outbox
SELECT id, machine, entity_id, version, effect, event, from_state, to_state, payload, attempts,
  next_ns, dispatched_ns, last_error
FROM fsm_outbox WHERE entity_id = ? ORDER BY id

-- name: mark_dispatched
UPDATE fsm_outbox SET dispatched_ns = ? WHERE id = ? AND dispatched_ns IS NULL

-- name: dispatch_failed
UPDATE fsm_outbox SET attempts = attempts + 1, next_ns = ?, last_error = ?
WHERE id = ? AND dispatched_ns IS NULL

-- name: schema_version
SELECT coalesce(max(version), 0) FROM lockstep_fsm_schema

-- name: data_version
PRAGMA data_version
