package dev.lockstep.fsm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a YAML or JSON definition file into a {@link DefaultMachineBuilder}, keeping the line of
 * every element, then builds it. Shape errors (a missing or misspelt key, a list where a name was
 * expected) are collected with the validator's, so one exception lists everything. Stateless and
 * thread-safe.
 */
final class DefinitionFileReader {
  // Duplicate keys are errors: silently keeping the last `initial:` or `transitions:` hides bugs.
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final JsonFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final Set<String> TOP_KEYS =
      Set.of("name", "initial", "finals", "states", "events", "guards", "actions", "transitions");
  private static final Set<String> STATE_KEYS = Set.of("name", "entry", "exit");
  private static final Set<String> TRANSITION_KEYS =
      Set.of("from", "on", "event", "to", "guard", "actions");
  private static final Set<String> ACTION_KEYS = Set.of("effect");

  private DefinitionFileReader() {}

  static MachineDefinition load(Path file) throws IOException {
    String text = Files.readString(file);
    boolean json =
        file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json");
    return parse(text, json, file.toString());
  }

  static MachineDefinition parse(String text, boolean json, String source) {
    LocatedNode root;
    try (JsonParser parser = (json ? JSON : YAML).createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new DefinitionException(source, List.of(new DefinitionError("file", 1, "is empty")));
      }
      root = LocatedNode.read(parser);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() != null ? e.getLocation().getLineNr() : -1;
      throw new DefinitionException(
          source,
          List.of(new DefinitionError("file", line, "malformed: " + e.getOriginalMessage())));
    } catch (IOException e) {
      throw new DefinitionException(
          source, List.of(new DefinitionError("file", -1, "unreadable: " + e.getMessage())));
    }
    if (!(root instanceof LocatedNode.Mapping top)) {
      throw new DefinitionException(
          source, List.of(new DefinitionError("file", root.line(), "is not a mapping")));
    }
    return new Session(source, text).read(top).build();
  }

  /** One read: the builder being filled and the errors found on the way. */
  private static final class Session {
    private static final Pattern BLOCK_HEADER =
        Pattern.compile("(.*[:-])?\\s+[|>][-+0-9]*\\s*(#.*)?");
    private final String source;
    private final List<String> lines;
    private DefaultMachineBuilder b;

    Session(String source, String text) {
      this.source = source;
      this.lines = text.lines().toList();
    }

    /**
     * The line a scalar's text starts on. Jackson places a YAML block scalar ({@code |} or {@code
     * >}) on its header line; its text starts on the next.
     */
    private int contentLine(LocatedNode node) {
      int line = node.line();
      if (line >= 1
          && line <= lines.size()
          && BLOCK_HEADER.matcher(lines.get(line - 1)).matches()) {
        return line + 1;
      }
      return line;
    }

    DefaultMachineBuilder read(LocatedNode.Mapping top) {
      LocatedNode nameNode = top.entries().get("name");
      String name = nameNode instanceof LocatedNode.Scalar n && n.text() != null ? n.text() : "";
      b = new DefaultMachineBuilder(name, source);
      b.rootLine = top.line();
      scalar(nameNode, "name");
      unknownKeys(top, TOP_KEYS, "machine");
      scalar(top.entries().get("initial"), "initial")
          .ifPresent(s -> b.setInitial(s, top.entries().get("initial").line()));
      for (LocatedNode n : list(top.entries().get("finals"), "finals")) {
        scalar(n, "finals").ifPresent(s -> b.addFinal(s, n.line()));
      }
      for (LocatedNode n : list(top.entries().get("states"), "states")) {
        readState(n);
      }
      LocatedNode events = top.entries().get("events");
      if (events != null) {
        b.events = new ArrayList<>();
        for (LocatedNode n : list(events, "events")) {
          scalar(n, "events").ifPresent(s -> b.addEvent(s, n.line()));
        }
      }
      readGuards(top.entries().get("guards"));
      readActions(top.entries().get("actions"));
      List<LocatedNode> transitions = list(top.entries().get("transitions"), "transitions");
      for (int i = 0; i < transitions.size(); i++) {
        readTransition(transitions.get(i), i + 1);
      }
      return b;
    }

    private void readState(LocatedNode n) {
      if (n instanceof LocatedNode.Mapping m) {
        unknownKeys(m, STATE_KEYS, "state");
        Optional<String> state = scalar(m.entries().get("name"), "state name");
        if (state.isEmpty()) {
          error("state", m.line(), "has no name");
          return;
        }
        b.addState(state.get(), m.line());
        b.addStateActions(
            state.get(),
            names(m.entries().get("entry"), "state " + state.get()),
            names(m.entries().get("exit"), "state " + state.get()),
            m.line());
      } else {
        scalar(n, "states").ifPresent(s -> b.addState(s, n.line()));
      }
    }

    private void readGuards(LocatedNode node) {
      if (node == null) {
        return;
      }
      if (!(node instanceof LocatedNode.Mapping m)) {
        error("guards", node.line(), "must map guard names to CEL expressions");
        return;
      }
      for (Map.Entry<String, LocatedNode> e : m.entries().entrySet()) {
        LocatedNode value = e.getValue();
        scalar(value, "guard " + e.getKey())
            .ifPresent(expr -> b.addExpressionGuard(e.getKey(), expr, contentLine(value)));
      }
    }

    private void readActions(LocatedNode node) {
      if (node == null) {
        return;
      }
      if (node instanceof LocatedNode.Sequence s) {
        for (LocatedNode n : s.items()) {
          scalar(n, "actions")
              .ifPresent(
                  a -> b.addAction(new ActionDefinition(a, false, Optional.empty()), n.line()));
        }
        return;
      }
      if (!(node instanceof LocatedNode.Mapping m)) {
        error("actions", node.line(), "must be a list of names or a mapping of name to options");
        return;
      }
      for (Map.Entry<String, LocatedNode> e : m.entries().entrySet()) {
        boolean effect = false;
        int line = m.keyLines().get(e.getKey());
        if (e.getValue() instanceof LocatedNode.Mapping options) {
          unknownKeys(options, ACTION_KEYS, "action " + e.getKey());
          LocatedNode flag = options.entries().get("effect");
          if (flag != null) {
            Optional<String> text = scalar(flag, "action " + e.getKey());
            if (text.isPresent() && !text.get().equals("true") && !text.get().equals("false")) {
              error("action " + e.getKey(), flag.line(), "effect must be true or false");
            }
            effect = text.map("true"::equals).orElse(false);
          }
        } else if (!(e.getValue() instanceof LocatedNode.Scalar s && s.text() == null)) {
          error("action " + e.getKey(), e.getValue().line(), "options must be a mapping");
        }
        b.addAction(new ActionDefinition(e.getKey(), effect, Optional.empty()), line);
      }
    }

    private void readTransition(LocatedNode node, int index) {
      String element = "transition #" + index;
      if (!(node instanceof LocatedNode.Mapping m)) {
        error(element, node.line(), "must be a mapping with from, on and to");
        return;
      }
      unknownKeys(m, TRANSITION_KEYS, element);
      DefaultMachineBuilder.Spec spec = new DefaultMachineBuilder.Spec();
      LocatedNode from = m.entries().get("from");
      if (from instanceof LocatedNode.Sequence) {
        spec.from.addAll(names(from, element));
      } else {
        scalar(from, element + " from").ifPresent(spec.from::add);
      }
      LocatedNode on =
          m.entries().containsKey("on") ? m.entries().get("on") : m.entries().get("event");
      scalar(on, element + " on").ifPresent(spec::on);
      scalar(m.entries().get("to"), element + " to").ifPresent(spec::to);
      scalar(m.entries().get("guard"), element + " guard").ifPresent(spec::guard);
      spec.actions.addAll(names(m.entries().get("actions"), element));
      b.addTransition(spec.toTransition(m.line()));
    }

    /** A scalar's text; empty (with an error when the node is not a scalar) otherwise. */
    private Optional<String> scalar(LocatedNode node, String element) {
      if (node == null) {
        return Optional.empty();
      }
      if (node instanceof LocatedNode.Scalar s) {
        return Optional.ofNullable(s.text());
      }
      error(element, node.line(), "expected a single value");
      return Optional.empty();
    }

    /** A list's items; a lone scalar counts as a list of one. */
    private List<LocatedNode> list(LocatedNode node, String element) {
      if (node == null || node instanceof LocatedNode.Scalar s && s.text() == null) {
        return List.of();
      }
      if (node instanceof LocatedNode.Sequence s) {
        return s.items();
      }
      if (node instanceof LocatedNode.Scalar) {
        return List.of(node);
      }
      error(element, node.line(), "expected a list");
      return List.of();
    }

    private List<String> names(LocatedNode node, String element) {
      List<String> names = new ArrayList<>();
      for (LocatedNode n : list(node, element)) {
        scalar(n, element).ifPresent(names::add);
      }
      return names;
    }

    private void unknownKeys(LocatedNode.Mapping m, Set<String> known, String element) {
      for (Map.Entry<String, Integer> key : m.keyLines().entrySet()) {
        if (!known.contains(key.getKey())) {
          error(element, key.getValue(), "unknown key '" + key.getKey() + "'");
        }
      }
    }

    private void error(String element, int line, String message) {
      if (b != null) {
        b.addError(new DefinitionError(element, line, message));
      }
    }
  }
}
