package dev.lockstep.fsm;

/** What {@link FsmStore#commit} did. */
public sealed interface CommitResult {

  /**
   * The conditional update matched: the entity moved, its attempt and outbox rows are written.
   *
   * @param version the entity's new version
   */
  record Committed(long version) implements CommitResult {}

  /**
   * The version did not match (or the entity vanished, then -1): only a conflict row was written.
   *
   * @param actualVersion the version found
   */
  record Conflicted(long actualVersion) implements CommitResult {}
}
