package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MachineDefinitionBuilderTest {

  static MachineDefinition.Builder userTurn() {
    return MachineDefinition.builder("user-turn")
        .states("IDLE", "THINKING", "RESPONDING")
        .initial("IDLE")
        .transition(t -> t.from("IDLE").on("message").to("THINKING").guard("hasBudget"))
        .transition(t -> t.from("THINKING").on("thought").to("RESPONDING"))
        .transition(t -> t.from("RESPONDING").on("done").to("IDLE").actions("notifyUser"))
        .transition(t -> t.from("THINKING", "RESPONDING").on("error").to("IDLE"))
        .guard("hasBudget", c -> ((Number) c.data().get("budget")).intValue() > 0)
        .effect("notifyUser", c -> {});
  }

  @Test
  void buildsTheUserTurnMachine() {
    MachineDefinition d = userTurn().build();
    assertEquals(List.of("message", "thought", "done", "error"), d.events());
    assertEquals("IDLE", d.transition("RESPONDING", "error").orElseThrow().to());
    assertEquals(Optional.empty(), d.transition("IDLE", "done"));
    assertTrue(d.actions().get("notifyUser").effect());
    assertTrue(d.actions().get("notifyUser").body().isPresent());
    Guard guard = d.guards().get("hasBudget");
    assertTrue(guard.test(ctx(Map.of("budget", 1))).toCompletableFuture().join());
    assertFalse(guard.test(ctx(Map.of("budget", 0))).toCompletableFuture().join());
    // A throwing predicate fails its stage rather than the caller.
    assertTrue(guard.test(ctx(Map.of())).toCompletableFuture().isCompletedExceptionally());
    assertEquals(-1, d.transitions().get(0).line());
  }

  @Test
  void asyncAndExpressionGuardsAndStateActions() {
    List<String> ran = new ArrayList<>();
    MachineDefinition d =
        MachineDefinition.builder("m")
            .states("A", "B")
            .initial("A")
            .events("go", "back")
            .transition(t -> t.from("A").on("go").to("B").guard("remote"))
            .transition(t -> t.from("B").on("back").to("A").guard("small"))
            .asyncGuard("remote", c -> CompletableFuture.supplyAsync(() -> c.event().equals("go")))
            .expressionGuard("small", "payload.n < 10 && data.ok")
            .onEntry("B", "enter")
            .onExit("B", "leave")
            .action("enter", c -> ran.add("enter"))
            .action("leave", c -> ran.add("leave"))
            .build();
    assertTrue(
        d.guards()
            .get("remote")
            .test(new GuardContext("A", "go", Map.of(), Map.of()))
            .toCompletableFuture()
            .join());
    Guard small = d.guards().get("small");
    assertTrue(
        small
            .test(new GuardContext("B", "back", Map.of("ok", true), Map.of("n", 3)))
            .toCompletableFuture()
            .join());
    assertFalse(
        small
            .test(new GuardContext("B", "back", Map.of("ok", true), Map.of("n", 30)))
            .toCompletableFuture()
            .join());
    assertEquals(List.of("enter"), d.state("B").orElseThrow().entryActions());
    d.actions()
        .get("leave")
        .body()
        .orElseThrow()
        .execute(new ActionContext("e1", "B", "back", "A", 2, Map.of(), Map.of()));
    assertEquals(List.of("leave"), ran);
  }

  @Test
  void aBadExpressionGuardFailsAtOnce() {
    DefinitionException e =
        assertThrows(DefinitionException.class, () -> Guard.expression("g", "data.x +"));
    assertEquals("guard g", e.errors().get(0).element());
    assertEquals(-1, e.errors().get(0).line());
  }

  @Test
  void collectsEveryErrorOfABuiltDefinition() {
    DefinitionException e =
        assertThrows(
            DefinitionException.class,
            () ->
                MachineDefinition.builder("bad")
                    .states("A", "B", "LOST")
                    .finals("Z")
                    .events("go", "unused")
                    .transition(t -> t.from("A").on("go").to("B").guard("nope"))
                    .transition(t -> t.from("A").on("go").to("C"))
                    .transition(t -> t.on("go").to("A"))
                    .build());
    assertEquals(
        List.of(
            new DefinitionError("initial", -1, "no initial state"),
            new DefinitionError("final state Z", -1, "unknown state 'Z'"),
            new DefinitionError("transition #1 (A --go--> B)", -1, "guard 'nope' is not defined"),
            new DefinitionError("transition #2 (A --go--> C)", -1, "unknown state 'C'"),
            new DefinitionError(
                "transition #2 (A --go--> C)",
                -1,
                "a second transition for (A, go); the first is transition #1"),
            new DefinitionError("transition #3 ( --go--> A)", -1, "no 'from' state"),
            new DefinitionError("event unused", -1, "never used by a transition")),
        e.errors());
    assertTrue(
        e.getMessage().startsWith("invalid machine definition 'bad': 7 errors"), e::getMessage);
  }

  @Test
  void definitionsAreImmutable() {
    MachineDefinition d = userTurn().build();
    assertThrows(UnsupportedOperationException.class, () -> d.transitions().clear());
    assertThrows(UnsupportedOperationException.class, () -> d.guards().clear());
    assertThrows(UnsupportedOperationException.class, () -> d.states().clear());
  }

  private static GuardContext ctx(Map<String, Object> data) {
    return new GuardContext("IDLE", "message", data, Map.of());
  }
}
