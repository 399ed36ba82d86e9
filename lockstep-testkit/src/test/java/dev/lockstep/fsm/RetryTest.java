package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.testkit.fsm.ForwardingFsmStore;
import dev.lockstep.testkit.fsm.FsmInvariantChecker;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Conflicts are returned unless a {@link Retry} is given; a retry re-reads the entity and
 * re-evaluates the event and its guard against the new state. Another writer is simulated by a
 * store that commits a competing transition just before the engine's commit.
 */
class RetryTest {
  static final AtomicInteger GUARD_CALLS = new AtomicInteger();
  static final MachineDefinition FLIP =
      MachineDefinition.builder("flip")
          .states("A", "B")
          .initial("A")
          .transition(t -> t.from("A").on("flip").to("B").guard("counted"))
          .transition(t -> t.from("B").on("flip").to("A").guard("counted"))
          .guard("counted", c -> GUARD_CALLS.incrementAndGet() > 0)
          .build();

  /** Before the next engine commit, moves the entity itself (as another process would). */
  static final class InterferingStore extends ForwardingFsmStore {
    private final AtomicInteger interferences = new AtomicInteger();

    InterferingStore(FsmStore delegate) {
      super(delegate);
    }

    void interfereOnce() {
      interferences.set(1);
    }

    @Override
    public CommitResult commit(TransitionCommit c) {
      if (interferences.getAndDecrement() > 0) {
        EntityState s = delegate.read(c.entityId()).orElseThrow();
        String to = s.state().equals("A") ? "B" : "A";
        Attempt other =
            new Attempt(
                -7,
                Instant.now(),
                "flip",
                s.entityId(),
                "flip",
                s.state(),
                to,
                null,
                GuardResult.NONE,
                Outcome.TRANSITIONED,
                null,
                s.version() + 1);
        delegate.commit(new TransitionCommit(s.version(), to, other, List.of()));
      }
      return delegate.commit(c);
    }
  }

  @Test
  void aConflictIsReturnedWithoutRetry() {
    try (InterferingStore store = new InterferingStore(FsmStore.inMemory());
        FsmEngine engine = FsmEngine.builder(store).machine(FLIP).build()) {
      engine.create("flip", "x");
      store.interfereOnce();
      assertEquals(new FireResult.Conflict(0, 1), engine.fire("flip", "x", "flip", Map.of()));
      assertEquals("B", engine.current("x").orElseThrow().state());
      FsmInvariantChecker.check(store, List.of(FLIP)).assertOk();
    }
  }

  @Test
  void aRetryReReadsAndReEvaluatesAgainstTheNewState() {
    try (InterferingStore store = new InterferingStore(FsmStore.inMemory());
        FsmEngine engine = FsmEngine.builder(store).machine(FLIP).build()) {
      engine.create("flip", "x");
      store.interfereOnce();
      int before = GUARD_CALLS.get();
      assertEquals(
          new FireResult.Transitioned("B", "A", 2),
          engine.fire("flip", "x", "flip", Map.of(), Retry.upTo(1)));
      assertEquals(2, GUARD_CALLS.get() - before, "the guard ran once per attempt");
      assertEquals(
          List.of(Outcome.TRANSITIONED, Outcome.CONFLICT, Outcome.TRANSITIONED),
          engine.history("x").stream().map(Attempt::outcome).toList());
      FsmInvariantChecker.check(store, List.of(FLIP)).assertOk();
    }
  }
}
