package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.lockstep.lock.CapacityExceededException;
import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockOptions;
import dev.lockstep.lock.LockRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store as the per-user guard of an agent framework (seed 000): IDLE → THINKING →
 * RESPONDING → IDLE, with a declared error transition back to IDLE. A second message while the user
 * is busy is refused, not queued or lost.
 */
class AgentTurnGuardTest {
  static final MachineDefinition TURN =
      MachineDefinition.builder("agent-turn")
          .states("IDLE", "THINKING", "RESPONDING")
          .initial("IDLE")
          .transition(t -> t.from("IDLE").on("message").to("THINKING"))
          .transition(t -> t.from("THINKING").on("thought").to("RESPONDING"))
          .transition(t -> t.from("RESPONDING").on("done").to("IDLE"))
          .transition(t -> t.from("THINKING", "RESPONDING").on("error").to("IDLE"))
          .build();

  @Test
  void aTurnGoesRoundAndABusyUserRefusesASecondMessage() {
    try (FsmStore store = FsmStore.inMemory();
        FsmEngine engine = FsmEngine.builder(store).machine(TURN).entityLock(true).build()) {
      engine.create("agent-turn", "user-1");
      assertEquals(
          new FireResult.Transitioned("IDLE", "THINKING", 1),
          engine.fire("agent-turn", "user-1", "message", Map.of("text", "hi")));
      assertEquals(
          new FireResult.NotAllowed("THINKING", "message"),
          engine.fire("agent-turn", "user-1", "message", Map.of("text", "again")));
      assertInstanceOf(
          FireResult.Transitioned.class, engine.fire("agent-turn", "user-1", "thought", Map.of()));
      assertEquals(
          new FireResult.Transitioned("RESPONDING", "IDLE", 3),
          engine.fire("agent-turn", "user-1", "error", Map.of()));
      assertEquals(
          new FireResult.NotAllowed("IDLE", "error"),
          engine.fire("agent-turn", "user-1", "error", Map.of()));

      EntityState now = engine.current("user-1").orElseThrow();
      assertEquals("IDLE", now.state());
      assertEquals(3, now.version());
      List<Outcome> outcomes = engine.history("user-1").stream().map(Attempt::outcome).toList();
      assertEquals(
          List.of(
              Outcome.TRANSITIONED,
              Outcome.NOT_ALLOWED,
              Outcome.TRANSITIONED,
              Outcome.TRANSITIONED,
              Outcome.NOT_ALLOWED),
          outcomes);
      Attempt refused = engine.history("user-1").get(1);
      assertEquals("THINKING", refused.from());
      assertEquals("message", refused.event());
      assertEquals(1, refused.version());
      assertEquals(5, FsmInvariants.check(store, List.of(TURN)).assertOk().attempts());
      FsmInvariants.check(store).assertOk();
    }
  }

  @Test
  void differentUsersAreIndependent() {
    try (FsmStore store = FsmStore.inMemory();
        FsmEngine engine = FsmEngine.builder(store).machine(TURN).build()) {
      engine.create("agent-turn", "a");
      engine.create("agent-turn", "b");
      assertInstanceOf(
          FireResult.Transitioned.class, engine.fire("agent-turn", "a", "message", Map.of()));
      assertInstanceOf(
          FireResult.Transitioned.class, engine.fire("agent-turn", "b", "message", Map.of()));
    }
  }

  @Test
  void aBoundedStoreKeepsTheLastAttemptsAndStaysExact() {
    try (FsmStore store = FsmStore.inMemory(2);
        FsmEngine engine = FsmEngine.builder(store).machine(TURN).build()) {
      engine.create("agent-turn", "u");
      for (int i = 0; i < 10; i++) {
        engine.fire("agent-turn", "u", "message", Map.of());
        engine.fire("agent-turn", "u", "error", Map.of());
      }
      assertEquals(20, engine.current("u").orElseThrow().version());
      List<Attempt> h = engine.history("u");
      assertEquals(2, h.size());
      assertEquals(20, h.get(1).version());
      assertEquals("error", h.get(1).event());
    }
  }

  @Test
  void aCapOnActiveUsersRefusesNewOnesWhileTheLockIsFull() throws Exception {
    KeyedLock<String> users = KeyedLock.create(new LockOptions("users", 1, LockRecorder.noop()));
    try (FsmStore store = FsmStore.inMemory();
        FsmEngine engine = FsmEngine.builder(store).machine(TURN).entityLock(users).build()) {
      engine.create("agent-turn", "a");
      engine.create("agent-turn", "b");
      try (LockHandle busy = users.acquire("a", Duration.ofSeconds(5))) {
        FireResult r = engine.fire("agent-turn", "b", "message", Map.of());
        assertInstanceOf(
            CapacityExceededException.class, assertInstanceOf(FireResult.Failed.class, r).error());
      }
      assertInstanceOf(
          FireResult.Transitioned.class, engine.fire("agent-turn", "b", "message", Map.of()));
      assertEquals(Outcome.FAILED, engine.history("b").get(0).outcome());
    }
  }
}
