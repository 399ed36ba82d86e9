package dev.lockstep.testkit.fsm;

import java.util.List;

/**
 * Finds what Lockstep's FSM engines and stores leave behind: their threads are all named {@code
 * lockstep-fsm-…}, so after every engine and store is closed none may be alive.
 */
public final class FsmLeaks {
  private FsmLeaks() {}

  /** Returns the names of live platform threads whose name starts with {@code lockstep-fsm-}. */
  public static List<String> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("lockstep-fsm-"))
        .sorted()
        .toList();
  }

  /** Throws an {@link AssertionError} naming the live {@code lockstep-fsm-} threads, if any. */
  public static void assertNoThreads() {
    List<String> live = liveThreads();
    if (!live.isEmpty()) {
      throw new AssertionError("threads left after close(): " + live);
    }
  }
}
