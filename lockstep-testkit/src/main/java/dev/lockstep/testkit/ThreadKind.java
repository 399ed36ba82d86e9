package dev.lockstep.testkit;

/** Which kind of thread a {@link LockStressHarness} runs its workers on. */
public enum ThreadKind {
  /** Ordinary operating-system threads: real parallelism, preemption at any instruction. */
  PLATFORM,
  /**
   * Virtual threads: many more of them, unmounting whenever they park; exposes pinning and
   * parking-related bugs.
   */
  VIRTUAL
}
