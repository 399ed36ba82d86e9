package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefinitionFileTest {
  static final String USER_TURN_YAML =
      """
      name: user-turn
      initial: IDLE
      states: [IDLE, THINKING, RESPONDING]
      events: [message, thought, done, error]
      guards:
        hasBudget: "data.tokensUsed < data.tokenLimit"
      actions:
        startTurn: {}
        notifyUser: {effect: true}
      transitions:
        - {from: IDLE, on: message, to: THINKING, guard: hasBudget, actions: [startTurn]}
        - {from: THINKING, on: thought, to: RESPONDING}
        - {from: RESPONDING, on: done, to: IDLE, actions: [notifyUser]}
        - {from: [THINKING, RESPONDING], on: error, to: IDLE}
      """;

  static final String USER_TURN_JSON =
      """
      {
        "name": "user-turn",
        "initial": "IDLE",
        "states": ["IDLE", "THINKING", "RESPONDING"],
        "events": ["message", "thought", "done", "error"],
        "guards": {"hasBudget": "data.tokensUsed < data.tokenLimit"},
        "actions": {"startTurn": {}, "notifyUser": {"effect": true}},
        "transitions": [
          {"from": "IDLE", "on": "message", "to": "THINKING", "guard": "hasBudget",
           "actions": ["startTurn"]},
          {"from": "THINKING", "on": "thought", "to": "RESPONDING"},
          {"from": "RESPONDING", "on": "done", "to": "IDLE", "actions": ["notifyUser"]},
          {"from": ["THINKING", "RESPONDING"], "on": "error", "to": "IDLE"}
        ]
      }
      """;

  static final String FILE_LIFECYCLE_YAML =
      """
      name: file-lifecycle
      initial: NEW
      finals: [DONE]
      states:
        - NEW
        - LOCKED
        - name: WRITING
          entry: [openTemp]
          exit: [closeTemp]
        - DONE
      guards:
        ownerMatches: data.owner == payload.owner
        smallEnough: "payload.size < 1048576"
      actions: [openTemp, closeTemp]
      transitions:
        - from: NEW
          on: lock
          to: LOCKED
          guard: ownerMatches
        - from: LOCKED
          on: write
          to: WRITING
          guard: smallEnough
        - from: WRITING
          on: commit
          to: DONE
        - from: [LOCKED, WRITING]
          on: abort
          to: NEW
      """;

  static final String FILE_LIFECYCLE_JSON =
      """
      {"name": "file-lifecycle", "initial": "NEW", "finals": ["DONE"],
       "states": ["NEW", "LOCKED",
                  {"name": "WRITING", "entry": ["openTemp"], "exit": ["closeTemp"]}, "DONE"],
       "guards": {"ownerMatches": "data.owner == payload.owner",
                  "smallEnough": "payload.size < 1048576"},
       "actions": ["openTemp", "closeTemp"],
       "transitions": [
         {"from": "NEW", "on": "lock", "to": "LOCKED", "guard": "ownerMatches"},
         {"from": "LOCKED", "on": "write", "to": "WRITING", "guard": "smallEnough"},
         {"from": "WRITING", "on": "commit", "to": "DONE"},
         {"from": ["LOCKED", "WRITING"], "on": "abort", "to": "NEW"}]}
      """;

  @TempDir Path dir;

  MachineDefinition load(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return MachineDefinition.load(file);
  }

  List<DefinitionError> errors(String yaml) throws IOException {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, yaml);
    DefinitionException e =
        assertThrows(DefinitionException.class, () -> MachineDefinition.load(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    return e.errors();
  }

  static boolean test(
      MachineDefinition d, String guard, Map<String, Object> data, Map<String, Object> payload) {
    return d.guards()
        .get(guard)
        .test(new GuardContext("S", "E", data, payload))
        .toCompletableFuture()
        .join();
  }

  @Test
  void userTurnYamlAndJsonLoadTheSameMachine() throws IOException {
    for (MachineDefinition d :
        List.of(load("user.yaml", USER_TURN_YAML), load("user.json", USER_TURN_JSON))) {
      assertEquals("user-turn", d.name());
      assertEquals("IDLE", d.initial());
      assertEquals(
          List.of("IDLE", "THINKING", "RESPONDING"),
          d.states().stream().map(StateDefinition::name).toList());
      assertEquals(List.of("message", "thought", "done", "error"), d.events());
      assertEquals(4, d.transitions().size());
      assertEquals("THINKING", d.transition("IDLE", "message").orElseThrow().to());
      assertEquals("IDLE", d.transition("THINKING", "error").orElseThrow().to());
      assertEquals("IDLE", d.transition("RESPONDING", "error").orElseThrow().to());
      assertEquals(Optional.empty(), d.transition("IDLE", "error"));
      assertTrue(d.actions().get("notifyUser").effect());
      assertFalse(d.actions().get("startTurn").effect());
      assertTrue(test(d, "hasBudget", Map.of("tokensUsed", 10, "tokenLimit", 100), Map.of()));
      assertFalse(test(d, "hasBudget", Map.of("tokensUsed", 100, "tokenLimit", 100), Map.of()));
    }
  }

  @Test
  void fileLifecycleYamlAndJsonCarryCelGuardsAndStateActions() throws IOException {
    for (MachineDefinition d :
        List.of(load("file.yml", FILE_LIFECYCLE_YAML), load("file.json", FILE_LIFECYCLE_JSON))) {
      assertEquals(List.of("DONE"), d.finals());
      assertEquals(List.of("lock", "write", "commit", "abort"), d.events());
      StateDefinition writing = d.state("WRITING").orElseThrow();
      assertEquals(List.of("openTemp"), writing.entryActions());
      assertEquals(List.of("closeTemp"), writing.exitActions());
      assertEquals(
          Optional.of("smallEnough"), d.transition("LOCKED", "write").orElseThrow().guard());
      assertTrue(test(d, "ownerMatches", Map.of("owner", "agent-7"), Map.of("owner", "agent-7")));
      assertFalse(test(d, "ownerMatches", Map.of("owner", "agent-7"), Map.of("owner", "agent-8")));
      assertTrue(test(d, "smallEnough", Map.of(), Map.of("size", 4096L)));
      assertFalse(test(d, "smallEnough", Map.of(), Map.of("size", 2_000_000)));
    }
    MachineDefinition yaml = load("file.yaml", FILE_LIFECYCLE_YAML);
    assertEquals(16, yaml.transitions().get(0).line());
    assertEquals(7, yaml.state("WRITING").orElseThrow().line());
  }

  @Test
  void javaBodiesBindToActionsTheFileDeclares() throws IOException {
    MachineDefinition loaded = load("user.yaml", USER_TURN_YAML);
    assertEquals(Optional.empty(), loaded.actions().get("notifyUser").body());
    List<String> sent = new ArrayList<>();
    MachineDefinition bound = loaded.withAction("notifyUser", c -> sent.add(c.entityId()));
    assertEquals(Optional.empty(), loaded.actions().get("notifyUser").body());
    ActionDefinition notify = bound.actions().get("notifyUser");
    assertTrue(notify.effect());
    notify
        .body()
        .orElseThrow()
        .execute(new ActionContext("u1", "RESPONDING", "done", "IDLE", 4, Map.of(), Map.of()));
    assertEquals(List.of("u1"), sent);
    assertThrows(IllegalArgumentException.class, () -> loaded.withAction("nope", c -> {}));
  }

  @Test
  void aGuardOnAMissingKeyFailsItsStageInsteadOfThrowing() throws IOException {
    MachineDefinition d = load("file.yaml", FILE_LIFECYCLE_YAML);
    var stage = d.guards().get("smallEnough").test(new GuardContext("S", "E", Map.of(), Map.of()));
    assertTrue(stage.toCompletableFuture().isCompletedExceptionally());
  }

  @Test
  void unknownStatesInTransitionsInitialAndFinalsNameTheirLines() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            initial: START
            finals: [GONE]
            states: [A, B]
            transitions:
              - {from: A, on: go, to: B}
              - {from: [B, C], on: back, to: A}
            """);
    assertTrue(
        errors.contains(new DefinitionError("initial", 2, "unknown state 'START'")),
        errors::toString);
    assertTrue(
        errors.contains(new DefinitionError("final state GONE", 3, "unknown state 'GONE'")),
        errors::toString);
    assertTrue(
        errors.contains(
            new DefinitionError("transition #2 (B,C --back--> A)", 7, "unknown state 'C'")),
        errors::toString);
  }

  @Test
  void unreachableStatesAreNamedWithTheirLines() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            initial: A
            states:
              - A
              - B
              - ISLAND
            transitions:
              - {from: A, on: go, to: B}
              - {from: ISLAND, on: go, to: A}
            """);
    assertEquals(
        List.of(new DefinitionError("state ISLAND", 6, "unreachable from the initial state A")),
        errors);
  }

  @Test
  void twoTransitionsForOneStateAndEventAreRejected() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            initial: A
            states: [A, B, C]
            transitions:
              - {from: A, on: go, to: B}
              - {from: [B, A], on: go, to: C}
            """);
    assertEquals(
        List.of(
            new DefinitionError(
                "transition #2 (B,A --go--> C)",
                6,
                "a second transition for (A, go); the first is transition #1 at line 5")),
        errors);
  }

  @Test
  void aMissingOrMalformedNameIsReported() throws IOException {
    assertEquals(
        List.of(new DefinitionError("machine", 1, "has no name")),
        errors("initial: A\nstates: [A]\n"));
    assertEquals(
        List.of(
            new DefinitionError("name", 1, "expected a single value"),
            new DefinitionError("machine", 1, "has no name")),
        errors("name: [a, b]\ninitial: A\nstates: [A]\n"));
  }

  @Test
  void aMissingInitialStateIsReported() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            states: [A, B]
            transitions:
              - {from: A, on: go, to: B}
            """);
    assertEquals(List.of(new DefinitionError("initial", 1, "no initial state")), errors);
  }

  @Test
  void eventsNeverUsedAndEventsNeverDeclaredAreReported() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            initial: A
            states: [A, B]
            events:
              - go
              - never
            transitions:
              - {from: A, on: go, to: B}
              - {from: B, on: back, to: A}
            """);
    assertEquals(
        List.of(
            new DefinitionError("transition #2 (B --back--> A)", 9, "unknown event 'back'"),
            new DefinitionError("event never", 6, "never used by a transition")),
        errors);
  }

  @Test
  void guardsAndActionsReferencedButNotDefinedAreReported() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            initial: A
            states:
              - A
              - {name: B, entry: [ring]}
            transitions:
              - {from: A, on: go, to: B, guard: ready, actions: [log]}
            """);
    assertEquals(
        List.of(
            new DefinitionError("transition #1 (A --go--> B)", 7, "guard 'ready' is not defined"),
            new DefinitionError("transition #1 (A --go--> B)", 7, "action 'log' is not defined"),
            new DefinitionError("state B", 5, "action 'ring' is not defined")),
        errors);
  }

  @Test
  void celSyntaxAndTypeErrorsAreReportedAtLoadWithTheFileLine() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            initial: A
            states: [A, B]
            guards:
              broken: "data.count <"
              notBoolean: "payload.size + 1"
              unknownVariable: "entity.size > 1"
            transitions:
              - {from: A, on: go, to: B, guard: broken}
              - {from: B, on: back, to: A, guard: notBoolean}
              - {from: B, on: reset, to: A, guard: unknownVariable}
            """);
    assertEquals(3, errors.size(), errors::toString);
    assertEquals("guard broken", errors.get(0).element());
    assertEquals(5, errors.get(0).line());
    assertEquals("guard notBoolean", errors.get(1).element());
    assertEquals(6, errors.get(1).line());
    assertEquals("guard unknownVariable", errors.get(2).element());
    assertEquals(7, errors.get(2).line());
    assertTrue(errors.get(2).message().contains("entity"), errors.get(2)::message);
  }

  @Test
  void errorsInMultiLineGuardsPointAtTheirOwnLine() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            initial: A
            states: [A, B]
            guards:
              ready: |
                data.count > 0 &&
                  entity.size < 1
              plain: entity.size >1
              list: >-
                entity.size
            transitions:
              - {from: A, on: go, to: B, guard: ready}
              - {from: B, on: back, to: A, guard: plain}
              - {from: B, on: reset, to: A, guard: list}
            """);
    assertEquals(
        List.of(7, 8, 10), errors.stream().map(DefinitionError::line).toList(), errors::toString);
    assertEquals("guard ready", errors.get(0).element());
  }

  @Test
  void duplicateKeysAreErrorsNotSilentOverwrites() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: m
            initial: A
            states: [A, B]
            transitions:
              - {from: A, on: go, to: B}
            initial: B
            """);
    assertEquals(1, errors.size(), errors::toString);
    assertEquals("file", errors.get(0).element());
    assertEquals(6, errors.get(0).line());
    assertTrue(errors.get(0).message().contains("initial"), errors.get(0)::message);
  }

  @Test
  void malformedFilesAndUnknownKeysReportTheirLines() throws IOException {
    List<DefinitionError> malformed = errors("name: m\nstates: [A, B\ninitial: A\n");
    assertEquals(1, malformed.size(), malformed::toString);
    assertEquals("file", malformed.get(0).element());
    assertTrue(malformed.get(0).line() >= 2, malformed::toString);

    List<DefinitionError> typo =
        errors(
            """
            name: m
            initial: A
            states: [A, B]
            transitions:
              - {from: A, on: go, too: B}
            """);
    assertEquals(
        List.of(
            new DefinitionError("transition #1", 5, "unknown key 'too'"),
            new DefinitionError("transition #1 (A --go--> )", 5, "no 'to' state"),
            new DefinitionError("state B", 3, "unreachable from the initial state A")),
        typo);
  }

  @Test
  void everyErrorOfOneFileComesInOneException() throws IOException {
    List<DefinitionError> errors =
        errors(
            """
            name: broken
            initial: IDLE
            finals: [GONE]
            states: [IDLE, BUSY, ORPHAN]
            events: [go, stop, never]
            transitions:
              - {from: IDLE, on: go, to: BUSY}
              - {from: IDLE, on: go, to: NOWHERE}
              - {from: BUSY, on: stop, to: IDLE, guard: missing}
            """);
    assertEquals(
        List.of(3, 8, 8, 9, 4, 5),
        errors.stream().map(DefinitionError::line).toList(),
        errors::toString);
  }
}
