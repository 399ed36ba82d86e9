package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DiagramFormatTest {

  @Test
  void mermaidOfTheUserTurnMachine() {
    MachineDefinition d = MachineDefinition.parseYaml(DefinitionFileTest.USER_TURN_YAML);
    assertEquals(
        """
        stateDiagram-v2
            [*] --> IDLE
            IDLE --> THINKING : message [hasBudget]
            THINKING --> RESPONDING : thought
            RESPONDING --> IDLE : done
            THINKING --> IDLE : error
            RESPONDING --> IDLE : error
        """,
        DiagramFormat.MERMAID.render(d));
  }

  @Test
  void mermaidEndsFinalStatesAndAliasesNamesMermaidCannotTake() {
    MachineDefinition d =
        MachineDefinition.builder("review")
            .states("draft", "in-review", "merged")
            .initial("draft")
            .finals("merged")
            .transition(t -> t.from("draft").on("submit").to("in-review"))
            .transition(t -> t.from("in-review").on("approve").to("merged").guard("ci:green"))
            .guard("ci:green", c -> true)
            .build();
    assertEquals(
        """
        stateDiagram-v2
            state "in-review" as in_review
            [*] --> draft
            draft --> in_review : submit
            in_review --> merged : approve [ci#58;green]
            merged --> [*]
        """,
        DiagramFormat.MERMAID.render(d));
  }

  @Test
  void dotOfTheFileLifecycleMachine() {
    MachineDefinition d = MachineDefinition.parseJson(DefinitionFileTest.FILE_LIFECYCLE_JSON);
    String expected =
        """
        digraph "file-lifecycle" {
          rankdir=LR;
          node [shape=box, style=rounded];
          "[*]start" [shape=point, width=0.2, label=""];
          "[*]end" [shape=doublecircle, width=0.15, label=""];
          "NEW";
          "LOCKED";
          "WRITING";
          "DONE";
          "[*]start" -> "NEW";
          "NEW" -> "LOCKED" [label="lock [ownerMatches]"];
          "LOCKED" -> "WRITING" [label="write [smallEnough]"];
          "WRITING" -> "DONE" [label="commit"];
          "LOCKED" -> "NEW" [label="abort"];
          "WRITING" -> "NEW" [label="abort"];
          "DONE" -> "[*]end";
        }
        """;
    assertEquals(expected, DiagramFormat.DOT.render(d));
    assertEquals(
        expected,
        DiagramFormat.DOT.render(
            MachineDefinition.parseYaml(DefinitionFileTest.FILE_LIFECYCLE_YAML)));
  }

  @Test
  void dotEscapesQuotesInNames() {
    MachineDefinition d =
        MachineDefinition.builder("say \"hi\"")
            .states("A", "B \"quoted\"")
            .initial("A")
            .transition(t -> t.from("A").on("go").to("B \"quoted\""))
            .build();
    assertEquals(
        """
        digraph "say \\"hi\\"" {
          rankdir=LR;
          node [shape=box, style=rounded];
          "[*]start" [shape=point, width=0.2, label=""];
          "A";
          "B \\"quoted\\"";
          "[*]start" -> "A";
          "A" -> "B \\"quoted\\"" [label="go"];
        }
        """,
        DiagramFormat.DOT.render(d));
  }
}
