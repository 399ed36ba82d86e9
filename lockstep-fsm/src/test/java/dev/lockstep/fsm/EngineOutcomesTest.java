package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each outcome of a fire, with its attempt row, on the memory and the SQLite store. */
class EngineOutcomesTest {
  @TempDir static Path dir;
  private static int files;

  static Stream<FsmStore> stores() {
    return Stream.of(FsmStore.inMemory(), FsmStore.sqlite(dir.resolve("o" + files++ + ".db")));
  }

  static MachineDefinition doc(CompletableFuture<Boolean> slow) {
    return MachineDefinition.builder("doc")
        .states("DRAFT", "REVIEW", "PUBLISHED", "BROKEN", "SLOW")
        .initial("DRAFT")
        .transition(t -> t.from("DRAFT").on("submit").to("REVIEW").guard("hasTitle"))
        .transition(t -> t.from("REVIEW").on("publish").to("PUBLISHED"))
        .transition(t -> t.from("DRAFT").on("explode").to("BROKEN").guard("throws"))
        .transition(t -> t.from("DRAFT").on("wait").to("SLOW").guard("slow"))
        .transition(t -> t.from("DRAFT").on("act").to("BROKEN").actions("bad"))
        .guard("hasTitle", c -> c.payload().containsKey("title"))
        .guard(
            "throws",
            c -> {
              throw new IllegalStateException("guard blew up");
            })
        .asyncGuard("slow", c -> slow)
        .action(
            "bad",
            c -> {
              throw new IllegalArgumentException("action blew up");
            })
        .build();
  }

  @ParameterizedTest
  @MethodSource("stores")
  void everyOutcomeIsReturnedAndLogged(FsmStore store) {
    CompletableFuture<Boolean> never = new CompletableFuture<>();
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store)
                .machine(doc(never))
                .guardTimeout(Duration.ofMillis(50))
                .build()) {
      engine.create("doc", "d1", Map.of("owner", "ann"));
      assertThrows(DuplicateEntityException.class, () -> engine.create("doc", "d1"));

      FireResult rejected = engine.fire("doc", "d1", "submit", Map.of());
      assertEquals("hasTitle", assertInstanceOf(FireResult.GuardRejected.class, rejected).guard());
      FireResult notAllowed = engine.fire("doc", "d1", "publish", Map.of());
      assertEquals(new FireResult.NotAllowed("DRAFT", "publish"), notAllowed);
      FireResult threw = engine.fire("doc", "d1", "explode", Map.of());
      assertEquals(
          "guard blew up", assertInstanceOf(FireResult.Failed.class, threw).error().getMessage());
      FireResult slow = engine.fire("doc", "d1", "wait", Map.of());
      assertInstanceOf(
          TimeoutException.class, assertInstanceOf(FireResult.Failed.class, slow).error());
      FireResult action = engine.fire("doc", "d1", "act", Map.of());
      assertInstanceOf(
          IllegalArgumentException.class,
          assertInstanceOf(FireResult.Failed.class, action).error());
      FireResult unknown = engine.fire("doc", "nope", "submit", Map.of());
      assertInstanceOf(
          NoSuchEntityException.class, assertInstanceOf(FireResult.Failed.class, unknown).error());
      assertEquals(
          new FireResult.Transitioned("DRAFT", "REVIEW", 1),
          engine.fire("doc", "d1", "submit", Map.of("title", "T")));
      assertThrows(
          IllegalArgumentException.class, () -> engine.fire("other", "d1", "submit", Map.of()));

      EntityState s = engine.current("d1").orElseThrow();
      assertEquals("REVIEW", s.state());
      assertEquals(1, s.version());
      assertEquals(Map.of("owner", "ann"), s.data());

      List<Attempt> h = engine.history("d1");
      assertEquals(
          List.of(
              Outcome.GUARD_REJECTED,
              Outcome.NOT_ALLOWED,
              Outcome.FAILED,
              Outcome.FAILED,
              Outcome.FAILED,
              Outcome.TRANSITIONED),
          h.stream().map(Attempt::outcome).toList());
      assertEquals(GuardResult.REJECTED, h.get(0).guardResult());
      assertEquals(GuardResult.ERROR, h.get(2).guardResult());
      assertTrue(h.get(2).error().contains("guard blew up"), h.get(2).error());
      assertEquals(GuardResult.TIMED_OUT, h.get(3).guardResult());
      assertTrue(h.get(4).error().contains("action 'bad'"), h.get(4).error());
      Attempt won = h.get(5);
      assertEquals("DRAFT", won.from());
      assertEquals("REVIEW", won.to());
      assertEquals("hasTitle", won.guard());
      assertEquals(GuardResult.PASSED, won.guardResult());
      assertEquals(1, won.version());
      assertNull(won.error());
      assertEquals(1, engine.history("nope").size());
      assertEquals(h, store.history("d1"));
      assertEquals(h.get(5), store.attempt("d1", won.attemptId()).orElseThrow());
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void asyncFireAndRetryAfterConflict(FsmStore store) throws Exception {
    MachineDefinition counter =
        MachineDefinition.builder("counter")
            .states("A", "B")
            .initial("A")
            .transition(t -> t.from("A").on("flip").to("B"))
            .transition(t -> t.from("B").on("flip").to("A"))
            .build();
    try (store;
        FsmEngine engine = FsmEngine.builder(store).machine(counter).build()) {
      engine.create("counter", "c");
      assertEquals(
          new FireResult.Transitioned("A", "B", 1),
          engine.fireAsync("counter", "c", "flip", Map.of()).get());
      // A commit against a stale version conflicts and logs a conflict row (RetryTest in the
      // testkit covers a fire that conflicts and retries).
      Attempt stale =
          new Attempt(
              42,
              java.time.Instant.now(),
              "counter",
              "c",
              "flip",
              "A",
              "B",
              null,
              GuardResult.NONE,
              Outcome.TRANSITIONED,
              null,
              1);
      assertEquals(
          new CommitResult.Conflicted(1),
          store.commit(new TransitionCommit(0, "B", stale, List.of())));
      assertEquals(Outcome.CONFLICT, store.attempt("c", 42).orElseThrow().outcome());
      assertEquals(
          new FireResult.Transitioned("B", "A", 2),
          engine.fire("counter", "c", "flip", Map.of(), Retry.upTo(2)));
    }
  }
}
