package dev.lockstep.fsm;

/**
 * The diagram languages a {@link MachineDefinition} renders to.
 *
 * <p>Output is deterministic: the same definition always gives the same text, in declaration order
 * (the initial arrow first, then each transition and each of its source states in order, then the
 * final arrows), ending with a newline. Transition labels show the event and, in brackets, the
 * guard name. Rendering is stateless and thread-safe.
 */
public enum DiagramFormat {
  /** Mermaid {@code stateDiagram-v2}, with {@code [*]} for the start and the end. */
  MERMAID,
  /** Graphviz DOT, a {@code digraph} with point-shaped start and end nodes. */
  DOT;

  /** Renders {@code definition} in this format. */
  public String render(MachineDefinition definition) {
    return switch (this) {
      case MERMAID -> DiagramRenderer.mermaid(definition);
      case DOT -> DiagramRenderer.dot(definition);
    };
  }
}
