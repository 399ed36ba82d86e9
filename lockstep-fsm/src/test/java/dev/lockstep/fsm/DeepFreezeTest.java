package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the in-memory store keeps cannot be changed through the caller's maps and lists: entity data
 * and outbox payloads are deep, unmodifiable copies, as {@link EntityState} promises (an immutable
 * snapshot).
 */
class DeepFreezeTest {

  static MachineDefinition machine() {
    return MachineDefinition.builder("m")
        .states("A", "B")
        .initial("A")
        .transition(t -> t.from("A").on("go").to("B").actions("notify"))
        .effect("notify", c -> {})
        .build();
  }

  static Map<String, Object> mutable() {
    Map<String, Object> nested = new HashMap<>();
    nested.put("k", "v");
    List<Object> list = new ArrayList<>(List.of(1, 2));
    Map<String, Object> top = new HashMap<>();
    top.put("owner", "ann");
    top.put("nested", nested);
    top.put("list", list);
    top.put("none", null);
    return top;
  }

  @SuppressWarnings("unchecked")
  static void mutate(Map<String, Object> top) {
    ((Map<String, Object>) top.get("nested")).put("k", "changed");
    ((List<Object>) top.get("list")).add(3);
    top.put("owner", "eve");
    top.put("extra", true);
  }

  static Map<String, Object> expected() {
    Map<String, Object> m = new HashMap<>();
    m.put("owner", "ann");
    m.put("nested", Map.of("k", "v"));
    m.put("list", List.of(1, 2));
    m.put("none", null);
    return m;
  }

  @Test
  void callerMapsChangedAfterCreateAndFireDoNotChangeTheStore() {
    try (FsmStore store = FsmStore.inMemory();
        FsmEngine engine =
            FsmEngine.builder(store).machine(machine()).dispatchEffects(false).build()) {
      Map<String, Object> data = mutable();
      engine.create("m", "e", data);
      Map<String, Object> payload = mutable();
      assertInstanceOf(FireResult.Transitioned.class, engine.fire("m", "e", "go", payload));
      mutate(data);
      mutate(payload);

      EntityState s = engine.current("e").orElseThrow();
      assertEquals(expected(), s.data());
      assertEquals(expected(), store.outbox("e").get(0).payload());
      assertEquals(expected(), store.pendingEffects(java.time.Instant.now(), 10).get(0).payload());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void snapshotsAreUnmodifiableAllTheWayDown() {
    Map<String, Object> backing = mutable();
    EntityState s = new EntityState("m", "e", "A", 0, Collections.unmodifiableMap(backing));
    mutate(backing); // an unmodifiable view of a map the caller still changes is copied too
    assertEquals(expected(), s.data());
    assertThrows(UnsupportedOperationException.class, () -> s.data().put("x", 1));
    assertThrows(
        UnsupportedOperationException.class, () -> ((List<Object>) s.data().get("list")).add(9));
    assertThrows(
        UnsupportedOperationException.class,
        () -> ((Map<String, Object>) s.data().get("nested")).put("k", "x"));
    assertThrows(
        UnsupportedOperationException.class,
        () -> s.data().entrySet().iterator().next().setValue("x"));

    EffectRequest r = new EffectRequest("notify", mutable());
    assertThrows(
        UnsupportedOperationException.class,
        () -> ((List<Object>) r.payload().get("list")).set(0, 9));
  }

  @Test
  void whatIsFrozenOnceIsNotCopiedAgain() {
    EntityState s = new EntityState("m", "e", "A", 0, mutable());
    assertSame(s.data(), new EntityState("m", "e", "B", 1, s.data()).data());
    EffectRequest r = new EffectRequest("notify", s.data());
    assertSame(s.data(), r.payload());
    assertSame(s.data(), new ActionContext("e", "A", "go", "B", 1, s.data(), r.payload()).data());
    assertSame(s.data(), new GuardContext("A", "go", s.data(), Map.of()).data());
  }
}
