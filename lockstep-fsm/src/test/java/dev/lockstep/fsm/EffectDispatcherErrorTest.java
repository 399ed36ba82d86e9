package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An effect handler that throws an {@link Error} is a failed delivery like any other (retried with
 * backoff, logged as EFFECT_FAILED); the background dispatcher survives it, and if it does stop (a
 * VirtualMachineError outside a handler), the next commit with effects starts it again.
 */
class EffectDispatcherErrorTest {
  @TempDir static Path dir;
  private static int files;

  static Stream<FsmStore> stores() {
    return Stream.of(FsmStore.inMemory(), FsmStore.sqlite(dir.resolve("d" + files++ + ".db")));
  }

  static MachineDefinition machine() {
    return MachineDefinition.builder("m")
        .states("A", "B")
        .initial("A")
        .transition(t -> t.from("A").on("go").to("B").actions("notify"))
        .transition(t -> t.from("B").on("back").to("A").actions("notify"))
        .effect("notify", c -> {})
        .build();
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(5);
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aHandlerThrowingAnErrorIsRetriedAndTheDispatcherLivesOn(FsmStore store)
      throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    ConcurrentLinkedQueue<Long> delivered = new ConcurrentLinkedQueue<>();
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store)
                .machine(machine())
                .effectBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .effectHandler(
                    "notify",
                    c -> {
                      if (calls.incrementAndGet() == 1) {
                        throw new AssertionError("handler bug");
                      }
                      delivered.add(c.version());
                    })
                .build()) {
      engine.create("m", "e");
      assertInstanceOf(FireResult.Transitioned.class, engine.fire("m", "e", "go", Map.of()));
      await(() -> delivered.contains(1L), "version 1 delivered after the Error");
      assertInstanceOf(FireResult.Transitioned.class, engine.fire("m", "e", "back", Map.of()));
      await(() -> delivered.contains(2L), "version 2 delivered by the same dispatcher");

      List<Attempt> failed =
          engine.history("e").stream().filter(a -> a.outcome() == Outcome.EFFECT_FAILED).toList();
      assertEquals(1, failed.size());
      assertTrue(
          failed.get(0).error().contains("AssertionError: handler bug"), failed.get(0).error());
      await(() -> store.pendingEffects(Instant.now(), 10).isEmpty(), "outbox drained");
    }
  }

  @Test
  void aDispatcherStoppedByAVirtualMachineErrorIsStartedAgainByTheNextCommit()
      throws InterruptedException {
    AtomicBoolean failNext = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Long> delivered = new ConcurrentLinkedQueue<>();
    FsmStore store =
        new ForwardingStore(FsmStore.inMemory()) {
          @Override
          public List<OutboxEntry> pendingEffects(Instant now, int limit) {
            if (failNext.getAndSet(false)) {
              throw new OutOfMemoryError("test: the dispatcher's own pass fails");
            }
            return super.pendingEffects(now, limit);
          }
        };
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store)
                .machine(machine())
                .effectHandler("notify", c -> delivered.add(c.version()))
                .build()) {
      await(() -> !failNext.get(), "the first pass ran"); // and threw: the thread is gone
      Thread.sleep(50);
      engine.create("m", "e");
      assertInstanceOf(FireResult.Transitioned.class, engine.fire("m", "e", "go", Map.of()));
      await(() -> delivered.contains(1L), "delivered by a restarted dispatcher");
    }
  }
}
