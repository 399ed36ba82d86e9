package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An effect named more than once in one transition (exit action of the source, transition action,
 * entry action of the target, both ends of a self-loop) is one outbox entry of that version: its
 * idempotency key is (entity, version, effect). Alike on both stores, on the in-write path (plain
 * events) and the pre-read path (guarded events).
 */
class EffectOncePerTransitionTest {
  @TempDir static Path dir;
  private static int files;

  static Stream<FsmStore> stores() {
    return Stream.of(FsmStore.inMemory(), FsmStore.sqlite(dir.resolve("o" + files++ + ".db")));
  }

  static MachineDefinition machine(ConcurrentLinkedQueue<String> runs) {
    return MachineDefinition.builder("m")
        .states("A", "B")
        .initial("A")
        .transition(t -> t.from("A").on("go").to("B").actions("audit"))
        .transition(t -> t.from("A").on("check").to("B").guard("ok").actions("audit"))
        .transition(t -> t.from("B").on("loop").to("B"))
        .onExit("A", "audit")
        .onEntry("B", "audit", "notify")
        .onExit("B", "notify")
        .guard("ok", c -> true)
        .effect("audit", c -> runs.add(c.entityId() + " v" + c.version() + " audit"))
        .effect("notify", c -> runs.add(c.entityId() + " v" + c.version() + " notify"))
        .build();
  }

  @ParameterizedTest
  @MethodSource("stores")
  void eachEffectIsWrittenOncePerVersion(FsmStore store) {
    ConcurrentLinkedQueue<String> runs = new ConcurrentLinkedQueue<>();
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store).machine(machine(runs)).dispatchEffects(false).build()) {
      for (String entity : List.of("plain", "guarded")) {
        engine.create("m", entity);
        String first = entity.equals("plain") ? "go" : "check";
        assertEquals(
            new FireResult.Transitioned("A", "B", 1), engine.fire("m", entity, first, Map.of()));
        assertEquals(
            new FireResult.Transitioned("B", "B", 2), engine.fire("m", entity, "loop", Map.of()));
        assertEquals(
            List.of("1 audit", "1 notify", "2 notify", "2 audit"),
            store.outbox(entity).stream().map(o -> o.version() + " " + o.effect()).toList());
      }
      assertEquals(8, engine.dispatchEffects());
      assertEquals(8, runs.size());
      assertEquals(8, runs.stream().distinct().count());
      assertTrue(store.pendingEffects(Instant.now(), 10).isEmpty());
      assertTrue(FsmInvariants.check(store).ok());
    }
  }

  @Test
  void aCommitNamingAnEffectTwiceIsRefused() {
    Attempt a =
        new Attempt(
            1,
            Instant.now(),
            "m",
            "e",
            "go",
            "A",
            "B",
            null,
            GuardResult.NONE,
            Outcome.TRANSITIONED,
            null,
            1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TransitionCommit(
                    0,
                    "B",
                    a,
                    List.of(
                        new EffectRequest("audit", Map.of()),
                        new EffectRequest("audit", Map.of()))));
    assertTrue(e.getMessage().contains("'audit'"), e.getMessage());
  }
}
