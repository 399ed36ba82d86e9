package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Effects this engine has a handler for are dispatched however many due entries it has no handler
 * for (left for another process) come before them — on both stores, and on a store that only has
 * the SPI's default of the filtered query.
 */
class DispatchStarvationTest {
  @TempDir static Path dir;
  private static int files;

  static Stream<FsmStore> stores() {
    return Stream.of(
        FsmStore.inMemory(),
        FsmStore.sqlite(dir.resolve("s" + files++ + ".db")),
        new ForwardingStore(FsmStore.inMemory()),
        new ForwardingStore(FsmStore.sqlite(dir.resolve("s" + files++ + ".db"))));
  }

  static final MachineDefinition MACHINE =
      MachineDefinition.parseYaml(
          """
          name: m
          initial: S
          states: [S]
          actions:
            a: {effect: true}
            b: {effect: true}
          transitions:
            - {from: S, on: pa, to: S, actions: [a]}
            - {from: S, on: pb, to: S, actions: [b]}
          """);

  @ParameterizedTest
  @MethodSource("stores")
  void handledEffectsAreReachedBehindUnhandledOnes(FsmStore store) {
    AtomicInteger handled = new AtomicInteger();
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store)
                .machine(MACHINE)
                .dispatchEffects(false)
                .effectHandler("a", c -> handled.incrementAndGet())
                .build()) {
      engine.create("m", "e");
      for (int i = 0; i < 64 + 100; i++) { // more than one page of them
        assertInstanceOf(FireResult.Transitioned.class, engine.fire("m", "e", "pb", Map.of()));
      }
      assertInstanceOf(FireResult.Transitioned.class, engine.fire("m", "e", "pa", Map.of()));
      assertEquals(1, engine.dispatchEffects());
      assertEquals(1, handled.get());
      assertEquals(0, engine.dispatchEffects());

      List<OutboxEntry> pending = store.pendingEffects(Instant.now(), 1000);
      assertEquals(164, pending.size());
      assertEquals(List.of("b"), pending.stream().map(OutboxEntry::effect).distinct().toList());
      assertEquals(
          List.of(), store.pendingEffects(Instant.now(), 10, Map.of("m", java.util.Set.of("a"))));
      assertEquals(
          pending.subList(0, 10),
          store.pendingEffects(Instant.now(), 10, Map.of("m", java.util.Set.of("a", "b"))));
      assertEquals(
          List.of(),
          store.pendingEffects(Instant.now(), 10, Map.of("other", java.util.Set.of("b"))));
    }
  }
}
