package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.fsm.ForwardingFsmStore;
import dev.lockstep.testkit.fsm.FsmInvariantChecker;
import dev.lockstep.testkit.fsm.FsmLeaks;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * After-commit effects: dispatched once per committed transition with the idempotency key (entity,
 * version), never for an attempt that did not commit, retried with backoff after failures that show
 * in the history; and the invariant checker on stores with and without faults.
 */
class EffectsAndInvariantsTest {
  @TempDir static Path dir;
  private static int files;

  static final MachineDefinition ORDER =
      MachineDefinition.builder("order")
          .states("NEW", "PAID", "SHIPPED")
          .initial("NEW")
          .transition(t -> t.from("NEW").on("pay").to("PAID").actions("receipt"))
          .transition(t -> t.from("PAID").on("ship").to("SHIPPED").actions("label"))
          .effect("receipt", c -> {})
          .effect("label", c -> {})
          .build();

  static Stream<FsmStore> stores() {
    return Stream.of(FsmStore.inMemory(), FsmStore.sqlite(dir.resolve("e" + files++ + ".db")));
  }

  @ParameterizedTest
  @MethodSource("stores")
  void effectsRunOnceAfterCommitAndFailuresAreRetriedAndLogged(FsmStore store)
      throws InterruptedException {
    List<String> receipts = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger labelCalls = new AtomicInteger();
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store)
                .machine(ORDER)
                .dispatchEffects(false)
                .effectBackoff(Duration.ofMillis(1), Duration.ofMillis(1))
                .effectHandler("receipt", c -> receipts.add(c.entityId() + "@" + c.version()))
                .effectHandler(
                    "label",
                    c -> {
                      if (labelCalls.incrementAndGet() <= 2) {
                        throw new IllegalStateException("printer offline");
                      }
                    })
                .build()) {
      engine.create("order", "o1");
      assertTrue(engine.fire("order", "o1", "pay", Map.of()) instanceof FireResult.Transitioned);
      assertTrue(engine.fire("order", "o1", "pay", Map.of()) instanceof FireResult.NotAllowed);
      assertEquals(1, engine.dispatchEffects());
      assertEquals(List.of("o1@1"), receipts);
      assertEquals(0, engine.dispatchEffects(), "a dispatched effect ran again");

      engine.fire("order", "o1", "ship", Map.of());
      int dispatched = 0;
      for (int i = 0; i < 60_000 && dispatched == 0; i++) { // two 1 ms backoffs, then success
        dispatched = engine.dispatchEffects();
        if (dispatched == 0) {
          Thread.sleep(1);
        }
      }
      assertEquals(1, dispatched);
      assertEquals(3, labelCalls.get());
      List<Attempt> h = engine.history("o1");
      List<Attempt> failures =
          h.stream().filter(a -> a.outcome() == Outcome.EFFECT_FAILED).toList();
      assertEquals(2, failures.size(), h.toString());
      assertTrue(failures.get(0).error().contains("label"), failures.get(0).error());
      assertTrue(failures.get(0).error().contains("printer offline"), failures.get(0).error());
      assertEquals(2, failures.get(0).version());
      OutboxEntry label = store.outbox("o1").get(1);
      assertEquals(2, label.dispatchAttempts());
      assertTrue(label.dispatched());
      FsmInvariantChecker.check(store, List.of(ORDER)).assertOk();
      FsmInvariantChecker.check(store).assertOk();
    }
  }

  @Test
  void theBackgroundDispatcherRunsEffectsAndStopsOnClose() throws Exception {
    java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
    try (FsmStore store = FsmStore.sqlite(dir.resolve("bg.db"));
        FsmEngine engine =
            FsmEngine.builder(store)
                .machine(ORDER)
                .effectHandler("receipt", c -> ran.countDown())
                .build()) {
      engine.create("order", "o");
      engine.fire("order", "o", "pay", Map.of());
      assertTrue(ran.await(30, java.util.concurrent.TimeUnit.SECONDS));
    }
    FsmLeaks.assertNoThreads();
  }

  /**
   * The checker can fail on each rule: an outbox entry naming a version no transition produced, and
   * a version that disagrees with the log.
   */
  @Test
  void theCheckerReportsAnOutboxEntryWithoutItsTransitionAndABadVersion() {
    try (FsmStore real = FsmStore.inMemory();
        FsmEngine engine = FsmEngine.builder(real).machine(ORDER).dispatchEffects(false).build()) {
      engine.create("order", "o");
      engine.fire("order", "o", "pay", Map.of());
      FsmInvariantChecker.check(real, List.of(ORDER)).assertOk();
      FsmStore fake =
          new ForwardingFsmStore(real) {
            @Override
            public List<OutboxEntry> outbox(String entityId) {
              OutboxEntry e = real.outbox(entityId).get(0);
              return List.of(
                  new OutboxEntry(
                      99,
                      e.machine(),
                      e.entityId(),
                      7,
                      e.effect(),
                      e.event(),
                      e.from(),
                      e.to(),
                      e.payload(),
                      0,
                      Instant.now(),
                      null,
                      null));
            }

            @Override
            public List<EntityState> entities() {
              EntityState s = real.entities().get(0);
              return List.of(new EntityState(s.machine(), s.entityId(), s.state(), 5, s.data()));
            }
          };
      InvariantReport report = FsmInvariantChecker.check(fake, List.of(ORDER));
      assertFalse(report.ok());
      assertTrue(report.violations().stream().anyMatch(v -> v.contains("outbox entry 99")));
      assertTrue(
          report.violations().stream().anyMatch(v -> v.contains("version 5 but 1 TRANSITIONED")),
          report.violations().toString());
    }
  }
}
