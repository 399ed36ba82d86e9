package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code guardTimeout} bounds every guard, synchronous ones included: a Java guard slower than the
 * timeout fails the attempt TIMED_OUT when the timeout passes (its thread is interrupted, its late
 * answer ignored), and a CEL guard that took longer fails it too.
 */
class GuardTimeoutTest {
  @TempDir static Path dir;
  private static int files;

  static Stream<FsmStore> stores() {
    return Stream.of(FsmStore.inMemory(), FsmStore.sqlite(dir.resolve("g" + files++ + ".db")));
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aSlowSynchronousGuardTimesOut(FsmStore store) throws Exception {
    CountDownLatch interrupted = new CountDownLatch(2);
    CountDownLatch returned = new CountDownLatch(2);
    MachineDefinition m =
        MachineDefinition.builder("m")
            .states("A", "B")
            .initial("A")
            .transition(t -> t.from("A").on("go").to("B").guard("slow"))
            .transition(t -> t.from("A").on("blocks").to("B").guard("blocking"))
            .guard("slow", c -> sleep(interrupted, returned))
            .asyncGuard( // blocks before it hands back its stage
                "blocking", c -> CompletableFuture.completedFuture(sleep(interrupted, returned)))
            .build();
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store).machine(m).guardTimeout(Duration.ofMillis(200)).build()) {
      engine.create("m", "e");
      for (String event : List.of("go", "blocks")) {
        long start = System.nanoTime();
        FireResult r = engine.fire("m", "e", event, Map.of());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Throwable error = assertInstanceOf(FireResult.Failed.class, r).error();
        assertInstanceOf(TimeoutException.class, error);
        assertTrue(millis < 1_200, event + " took " + millis + " ms");
      }
      assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the guards' threads are interrupted");
      assertTrue(returned.await(10, TimeUnit.SECONDS));
      List<Attempt> h = engine.history("e");
      assertEquals(
          List.of(GuardResult.TIMED_OUT, GuardResult.TIMED_OUT),
          h.stream().map(Attempt::guardResult).toList());
      assertEquals(
          List.of(Outcome.FAILED, Outcome.FAILED), h.stream().map(Attempt::outcome).toList());
      EntityState s = engine.current("e").orElseThrow(); // the late answers changed nothing
      assertEquals("A", s.state());
      assertEquals(0, s.version());
    }
  }

  /** Sleeps 1.5 s unless interrupted, then answers true (too late). */
  static boolean sleep(CountDownLatch interrupted, CountDownLatch returned) {
    try {
      Thread.sleep(1_500);
    } catch (InterruptedException e) {
      interrupted.countDown();
    } finally {
      returned.countDown();
    }
    return true;
  }

  @Test
  void aCelGuardSlowerThanTheTimeoutTimesOut() {
    Guard cel = Guard.expression("big", "data.items.all(i, i >= 0)");
    GuardContext c =
        new GuardContext(
            "A", "go", Map.of("items", java.util.Collections.nCopies(10_000, 1)), Map.of());
    assertEquals(GuardResult.PASSED, new GuardRunner(Duration.ofSeconds(30)).test(cel, c).result());
    GuardRunner.Verdict v = new GuardRunner(Duration.ofNanos(1)).test(cel, c);
    assertEquals(GuardResult.TIMED_OUT, v.result());
    assertInstanceOf(TimeoutException.class, v.error());
  }
}
