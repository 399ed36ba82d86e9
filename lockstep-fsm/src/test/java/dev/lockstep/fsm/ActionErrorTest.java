package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An in-transition action that throws an {@link Error} fails the attempt as a guard that throws one
 * does: a {@link FireResult.Failed} result, a FAILED attempt row, nothing changed; {@code
 * fireAsync} completes normally with that result.
 */
class ActionErrorTest {
  @TempDir static Path dir;
  private static int files;

  static Stream<FsmStore> stores() {
    return Stream.of(FsmStore.inMemory(), FsmStore.sqlite(dir.resolve("a" + files++ + ".db")));
  }

  static MachineDefinition machine() {
    return MachineDefinition.builder("m")
        .states("A", "B")
        .initial("A")
        .transition(t -> t.from("A").on("act").to("B").actions("bad"))
        .transition(t -> t.from("A").on("check").to("B").guard("bad"))
        .action(
            "bad",
            c -> {
              throw new AssertionError("action bug");
            })
        .guard(
            "bad",
            c -> {
              throw new AssertionError("guard bug");
            })
        .build();
  }

  @ParameterizedTest
  @MethodSource("stores")
  void anActionErrorFailsTheAttemptLikeAGuardError(FsmStore store) throws Exception {
    try (store;
        FsmEngine engine = FsmEngine.builder(store).machine(machine()).build()) {
      engine.create("m", "e");
      FireResult sync = engine.fire("m", "e", "act", Map.of());
      assertEquals(
          "action bug",
          assertInstanceOf(
                  AssertionError.class, assertInstanceOf(FireResult.Failed.class, sync).error())
              .getMessage());
      FireResult async = engine.fireAsync("m", "e", "act", Map.of()).get(10, TimeUnit.SECONDS);
      assertInstanceOf(
          AssertionError.class, assertInstanceOf(FireResult.Failed.class, async).error());
      FireResult guard = engine.fire("m", "e", "check", Map.of());
      assertInstanceOf(
          AssertionError.class, assertInstanceOf(FireResult.Failed.class, guard).error());

      List<Attempt> h = engine.history("e");
      assertEquals(
          List.of(Outcome.FAILED, Outcome.FAILED, Outcome.FAILED),
          h.stream().map(Attempt::outcome).toList());
      assertTrue(h.get(0).error().contains("action 'bad' threw: AssertionError: action bug"));
      EntityState s = engine.current("e").orElseThrow();
      assertEquals("A", s.state());
      assertEquals(0, s.version());
    }
  }
}
