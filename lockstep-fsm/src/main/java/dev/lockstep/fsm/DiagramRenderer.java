package dev.lockstep.fsm;

import java.util.LinkedHashMap;
import java.util.Map;

/** Writes Mermaid and DOT text for {@link DiagramFormat}. Stateless. */
final class DiagramRenderer {
  private DiagramRenderer() {}

  static String mermaid(MachineDefinition d) {
    // Mermaid ids allow letters, digits and underscores; other names get an alias declaration.
    Map<String, String> ids = new LinkedHashMap<>();
    StringBuilder out = new StringBuilder("stateDiagram-v2\n");
    for (StateDefinition s : d.states()) {
      String id = s.name().replaceAll("[^A-Za-z0-9_]", "_");
      while (ids.containsValue(id)) {
        id = id + "_";
      }
      ids.put(s.name(), id);
      if (!id.equals(s.name())) {
        out.append("    state \"").append(s.name().replace("\"", "#quot;")).append("\" as ");
        out.append(id).append('\n');
      }
    }
    out.append("    [*] --> ").append(ids.get(d.initial())).append('\n');
    for (Transition t : d.transitions()) {
      for (String from : t.from()) {
        out.append("    ").append(ids.get(from)).append(" --> ").append(ids.get(t.to()));
        out.append(" : ").append(label(t).replace(":", "#58;")).append('\n');
      }
    }
    for (String f : d.finals()) {
      out.append("    ").append(ids.get(f)).append(" --> [*]\n");
    }
    return out.toString();
  }

  static String dot(MachineDefinition d) {
    StringBuilder out = new StringBuilder();
    out.append("digraph ").append(quote(d.name())).append(" {\n");
    out.append("  rankdir=LR;\n");
    out.append("  node [shape=box, style=rounded];\n");
    out.append("  \"[*]start\" [shape=point, width=0.2, label=\"\"];\n");
    if (!d.finals().isEmpty()) {
      out.append("  \"[*]end\" [shape=doublecircle, width=0.15, label=\"\"];\n");
    }
    for (StateDefinition s : d.states()) {
      out.append("  ").append(quote(s.name())).append(";\n");
    }
    out.append("  \"[*]start\" -> ").append(quote(d.initial())).append(";\n");
    for (Transition t : d.transitions()) {
      for (String from : t.from()) {
        out.append("  ").append(quote(from)).append(" -> ").append(quote(t.to()));
        out.append(" [label=").append(quote(label(t))).append("];\n");
      }
    }
    for (String f : d.finals()) {
      out.append("  ").append(quote(f)).append(" -> \"[*]end\";\n");
    }
    return out.append("}\n").toString();
  }

  private static String label(Transition t) {
    return t.guard().map(g -> t.event() + " [" + g + "]").orElse(t.event());
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
