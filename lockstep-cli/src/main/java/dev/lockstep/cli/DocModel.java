package dev.lockstep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.doc.DocumentCodec;
import dev.lockstep.doc.DocumentCodecs;
import dev.lockstep.doc.Workflow;
import dev.lockstep.doc.WorkflowNote;
import dev.lockstep.doc.WorkflowStatus;
import dev.lockstep.doc.WorkflowTask;
import dev.lockstep.doc.WorkflowWave;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How {@code lockstep doc} sees one document format: as a JSON tree for {@code get}, and how {@code
 * set} and {@code incr} change it. JSON and YAML documents are trees already; a Markdown workflow
 * is shown as a tree and lets {@code set} change its header fields.
 *
 * @param <T> the codec's model
 */
sealed interface DocModel<T> {

  DocumentCodec<T> codec();

  /** The document as a JSON tree. */
  JsonNode view(T value);

  /** A copy of {@code value} with {@code key} set to {@code text} (a YAML scalar for trees). */
  T set(T value, String key, String text);

  /** The content of a document that does not exist yet, or empty if the format cannot start one. */
  Optional<T> empty();

  /** A copy of {@code value} with the number at {@code key} raised by {@code by} (0 if absent). */
  T incr(T value, String key, long by);

  /** The model for {@code file}: {@code format} when given, else the file's extension. */
  static DocModel<?> of(Path file, String format) {
    String f = format;
    if (f == null) {
      String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
      if (name.endsWith(".md")) {
        f = "markdown";
      } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        f = "yaml";
      } else if (name.endsWith(".json")) {
        f = "json";
      } else {
        throw new IllegalArgumentException(
            "cannot tell the format of "
                + file
                + " from its extension (.json, .yaml, .yml, .md): pass --format json|yaml|markdown");
      }
    }
    return switch (f.toLowerCase(Locale.ROOT)) {
      case "json" -> new Tree(DocumentCodecs.json());
      case "yaml", "yml" -> new Tree(DocumentCodecs.yaml());
      case "markdown", "md" -> new Markdown();
      default ->
          throw new IllegalArgumentException(
              "--format must be json, yaml or markdown, not '" + format + "'");
    };
  }

  /** JSON and YAML documents: untyped trees; {@code revision} belongs to the store. */
  record Tree(DocumentCodec<ObjectNode> codec) implements DocModel<ObjectNode> {
    @Override
    public JsonNode view(ObjectNode value) {
      return value;
    }

    @Override
    public ObjectNode set(ObjectNode value, String key, String text) {
      refuseRevision(key);
      ObjectNode copy = value.deepCopy();
      DocPath.set(copy, key, DocPath.parseValue(key, text));
      return copy;
    }

    @Override
    public Optional<ObjectNode> empty() {
      return Optional.of(JsonNodeFactory.instance.objectNode());
    }

    @Override
    public ObjectNode incr(ObjectNode value, String key, long by) {
      refuseRevision(key);
      JsonNode current = DocPath.get(value, key);
      long base;
      if (current == null || current.isNull()) {
        base = 0;
      } else if (current.isIntegralNumber() && current.canConvertToLong()) {
        base = current.longValue();
      } else {
        throw new IllegalArgumentException(
            "KEY '" + key + "' holds " + DocPath.print(current) + ", not an integer");
      }
      long sum;
      try {
        sum = Math.addExact(base, by);
      } catch (ArithmeticException overflow) {
        throw new IllegalArgumentException(
            "KEY '" + key + "': " + base + " + " + by + " does not fit in a 64-bit integer");
      }
      ObjectNode copy = value.deepCopy();
      DocPath.set(copy, key, JsonNodeFactory.instance.numberNode(sum));
      return copy;
    }

    private static void refuseRevision(String key) {
      if (key.equals("revision")) {
        throw new IllegalArgumentException(
            "KEY 'revision' is the store's: it moves by one on every commit");
      }
    }
  }

  /** Markdown workflows ({@code STATE.md}): a tree view; {@code set} changes header fields. */
  record Markdown() implements DocModel<Workflow> {
    static final List<String> SETTABLE = List.of("title", "status", "started", "updated");

    @Override
    public DocumentCodec<Workflow> codec() {
      return Workflow.codec();
    }

    @Override
    public JsonNode view(Workflow w) {
      JsonNodeFactory f = JsonNodeFactory.instance;
      ObjectNode o = f.objectNode();
      o.put("title", w.title());
      o.put("id", w.id());
      o.put("status", w.status().toString());
      o.put("revision", w.revision());
      o.put("started", w.started().toString());
      o.put("updated", w.updated().toString());
      o.set("completed", tasks(w.completed()));
      o.set("currentWave", tasks(w.currentWave()));
      ArrayNode waves = o.putArray("pendingWaves");
      for (WorkflowWave wave : w.pendingWaves()) {
        ObjectNode n = waves.addObject();
        n.put("name", wave.name());
        n.set("tasks", tasks(wave.tasks()));
      }
      ArrayNode notes = o.putArray("notes");
      for (WorkflowNote note : w.notes()) {
        ObjectNode n = notes.addObject();
        n.put("at", note.at().toString());
        n.put("text", note.text());
      }
      return o;
    }

    private static ArrayNode tasks(List<WorkflowTask> tasks) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      for (WorkflowTask t : tasks) {
        ObjectNode n = a.addObject();
        n.put("state", t.state().name().toLowerCase(Locale.ROOT));
        n.put("text", t.text());
      }
      return a;
    }

    /** Sets a header field; unless that field is {@code updated}, {@code updated} becomes now. */
    @Override
    public Workflow set(Workflow w, String key, String text) {
      Workflow changed = setField(w, key, text);
      return key.equals("updated") ? changed : changed.withUpdated(Instant.now());
    }

    private static Workflow setField(Workflow w, String key, String text) {
      return switch (key) {
        case "title" -> w.withTitle(text);
        case "status" ->
            w.withStatus(
                WorkflowStatus.parse(text)
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "status '"
                                    + text
                                    + "' is not of the form 'Wave N/M' with 1 <= N <= M")));
        case "started" -> w.withStarted(instant(key, text));
        case "updated" -> w.withUpdated(instant(key, text));
        default ->
            throw new IllegalArgumentException(
                "a Markdown workflow's settable keys are " + SETTABLE + ", not '" + key + "'");
      };
    }

    private static Instant instant(String key, String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            key + " '" + text + "' is not an ISO-8601 instant such as 2026-01-21T10:00:00Z");
      }
    }

    @Override
    public Optional<Workflow> empty() {
      return Optional.empty();
    }

    @Override
    public Workflow incr(Workflow value, String key, long by) {
      throw new IllegalArgumentException("a Markdown workflow has no number to increment");
    }
  }
}
