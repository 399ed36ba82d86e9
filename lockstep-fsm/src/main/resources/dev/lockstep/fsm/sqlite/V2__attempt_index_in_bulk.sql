-- Lockstep FSM store, schema version 2: the attempt log's per-entity index is written in bulk.
-- Version 1 indexed fsm_attempt on (entity_id, seq) as each row went in, so a batch of N
-- transitions on N entities wrote N index leaf pages to the WAL (about 1 page per transition: a
-- third of the writer's time). Now the writer copies (entity_id, seq) of the rows past
-- fsm_attempt_indexed.upto into fsm_attempt_by_entity every few thousand rows, sorted, in one
-- statement; history reads the indexed part through it and scans the short tail (seq > upto).
CREATE TABLE fsm_attempt_by_entity (
  entity_id TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  PRIMARY KEY (entity_id, seq)
) WITHOUT ROWID;

CREATE TABLE fsm_attempt_indexed (upto INTEGER NOT NULL);

INSERT INTO fsm_attempt_by_entity (entity_id, seq)
SELECT entity_id, seq FROM fsm_attempt ORDER BY entity_id, seq;

INSERT INTO fsm_attempt_indexed (upto) SELECT coalesce(max(seq), 0) FROM fsm_attempt;

DROP INDEX fsm_attempt_entity;
