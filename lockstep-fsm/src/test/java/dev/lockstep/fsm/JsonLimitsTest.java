package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No value a store accepts can make it unreadable: data and outbox payloads over the limits of
 * stored JSON (Jackson's read limits: 20,000,000-char strings, 50,000-char keys, 1,000-digit
 * numbers, 1,000 levels) are refused at write time, alike on both stores, naming entity, place and
 * limit; and rows written before the check read again.
 */
class JsonLimitsTest {
  @TempDir static Path dir;
  private static int files;

  static Stream<FsmStore> stores() {
    return Stream.of(FsmStore.inMemory(), FsmStore.sqlite(dir.resolve("j" + files++ + ".db")));
  }

  static MachineDefinition machine() {
    return MachineDefinition.builder("m")
        .states("A", "B")
        .initial("A")
        .transition(t -> t.from("A").on("go").to("B").actions("notify")) // plain: no guard
        .transition(t -> t.from("A").on("check").to("B").guard("ok").actions("notify"))
        .transition(t -> t.from("A").on("quiet").to("B")) // no effect: the payload is not stored
        .guard("ok", c -> true)
        .effect("notify", c -> {})
        .build();
  }

  static final BigInteger HUGE = new BigInteger("9".repeat(1100));

  static Object nested(int levels) {
    Object v = "x";
    for (int i = 0; i < levels; i++) {
      v = List.of(v);
    }
    return v;
  }

  @ParameterizedTest
  @MethodSource("stores")
  void createRefusesDataThatCouldNotBeReadBack(FsmStore store) {
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store).machine(machine()).dispatchEffects(false).build()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> engine.create("m", "victim", Map.of("n", HUGE)));
      assertTrue(e.getMessage().contains("'victim'"), e.getMessage());
      assertTrue(e.getMessage().contains("data.n is a number of 1100 digits"), e.getMessage());
      assertTrue(e.getMessage().contains("at most 1000"), e.getMessage());
      assertTrue(store.read("victim").isEmpty());

      String s = "x".repeat(20_000_001);
      assertThrows(
          IllegalArgumentException.class,
          () -> engine.create("m", "s", Map.of("a", List.of(Map.of("b", s)))),
          "data.a[0].b is a string of 20000001 chars");
      assertThrows(
          IllegalArgumentException.class,
          () -> engine.create("m", "k", Map.of("x".repeat(50_001), 1)));
      // a flat map is one level: 999 lists inside it are 1000, the most
      engine.create("m", "deep", Map.of("l", nested(999)));
      assertThrows(
          IllegalArgumentException.class,
          () -> engine.create("m", "deeper", Map.of("l", nested(1000))));
      BigInteger longest = new BigInteger("-" + "9".repeat(1000));
      BigDecimal wide = new BigDecimal("1." + "2".repeat(995) + "E+123456789");
      assertThrows(
          IllegalArgumentException.class,
          () -> engine.create("m", "wide", Map.of("d", wide)),
          "digits of the exponent count too");
      engine.create("m", "ok", Map.of("n", longest, "s", "y".repeat(1000)));

      assertEquals(longest, engine.current("ok").orElseThrow().data().get("n"));
      assertEquals(
          List.of("deep", "ok"), store.entities().stream().map(x -> x.entityId()).toList());
      assertTrue(FsmInvariants.check(store).ok());
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aPayloadTheOutboxCannotHoldFailsTheFireAndChangesNothing(FsmStore store) {
    try (store;
        FsmEngine engine =
            FsmEngine.builder(store)
                .machine(machine())
                .dispatchEffects(false)
                .effectHandler("notify", c -> {})
                .build()) {
      engine.create("m", "e");
      for (String event : List.of("go", "check")) {
        FireResult r = engine.fire("m", "e", event, Map.of("n", HUGE));
        Throwable error = assertInstanceOf(FireResult.Failed.class, r).error();
        assertInstanceOf(IllegalArgumentException.class, error);
        assertTrue(error.getMessage().contains("'e'"), error.getMessage());
        assertTrue(error.getMessage().contains("payload.n is a number"), error.getMessage());
      }
      List<Attempt> h = engine.history("e");
      assertEquals(
          List.of(Outcome.FAILED, Outcome.FAILED), h.stream().map(Attempt::outcome).toList());
      assertTrue(h.get(0).error().contains("at most 1000"), h.get(0).error());
      assertEquals("A", engine.current("e").orElseThrow().state());
      assertTrue(store.pendingEffects(Instant.now(), 10).isEmpty());
      assertEquals(0, engine.dispatchEffects());

      // not stored without effects; stored when within the limits
      assertInstanceOf(
          FireResult.Transitioned.class, engine.fire("m", "e", "quiet", Map.of("n", HUGE)));
      engine.create("m", "f");
      assertInstanceOf(
          FireResult.Transitioned.class,
          engine.fire("m", "f", "go", Map.of("n", new BigInteger("9".repeat(1000)))));
      assertEquals(1, engine.dispatchEffects());
      assertEquals(2, store.entities().size());
      assertTrue(FsmInvariants.check(store).ok(), FsmInvariants.check(store).toString());
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void storesRefuseWhatTheEngineWouldNotSend(FsmStore store) {
    try (store) {
      assertThrows(
          IllegalArgumentException.class,
          () -> store.insert(new EntityState("m", "x", "A", 0, Map.of("n", HUGE))));
      assertTrue(store.insert(new EntityState("m", "x", "A", 0, Map.of())));
      Attempt a =
          new Attempt(
              1,
              Instant.now(),
              "m",
              "x",
              "go",
              "A",
              "B",
              null,
              GuardResult.NONE,
              Outcome.TRANSITIONED,
              null,
              1);
      assertThrows(
          IllegalArgumentException.class,
          () ->
              store.commit(
                  new TransitionCommit(
                      0, "B", a, List.of(new EffectRequest("notify", Map.of("n", HUGE))))));
      assertEquals(0, store.read("x").orElseThrow().version());
      assertTrue(store.history("x").isEmpty());
      assertTrue(store.outbox("x").isEmpty());
    }
  }

  /** A row written before the writer checked (as the reader refused it then) reads again. */
  @Test
  void rowsWrittenBeforeTheCheckReadAgain() throws Exception {
    Path db = dir.resolve("old.db");
    try (FsmStore store = FsmStore.sqlite(db)) {
      store.insert(new EntityState("m", "victim", "A", 0, Map.of("n", 1)));
    }
    String big = "9".repeat(1100);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE fsm_entity SET data = '{\"n\":" + big + ",\"" + "k".repeat(50_001) + "\":1}'");
    }
    try (FsmStore store = FsmStore.sqlite(db)) {
      EntityState e = store.read("victim").orElseThrow();
      assertEquals(new BigInteger(big), e.data().get("n"));
      assertEquals(1, store.entities().size());
      assertTrue(FsmInvariants.check(store).ok());
    }
  }
}
