package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The codecs Lockstep ships: JSON and YAML through Jackson, untyped ({@link ObjectNode}) or typed
 * (a record or bean, mapped by Jackson). The revision is the top-level {@code revision} field — a
 * typed model needs a {@code revision} property (a {@code long revision} record component). The
 * change log of a JSON or YAML document holds RFC 6902 patches.
 *
 * <p>Output is deterministic: JSON pretty-printed with two spaces and a final newline; YAML block
 * style without a {@code ---} marker, sequences indented under their key, empty containers as
 * {@code {}} and {@code []}, and conservative quoting: a string is written plain only when it
 * starts with an ASCII letter, holds only letters, digits, space, {@code _ . / -}, does not end
 * with a space and is not a word YAML 1.1 reads as a boolean, null or number ({@code yes}, {@code
 * on}, {@code null}, {@code nan}, ... in any case); every other string is double-quoted with
 * JSON-style escapes, so PyYAML and SnakeYAML read back the same values. Field order is kept, and
 * encoding a document Lockstep wrote gives back its exact bytes.
 *
 * <p>Performance note: the YAML encoder is trusted (proven by property tests against Jackson YAML
 * and PyYAML), so a commit does not decode what it has just encoded; values it cannot promise to
 * round trip ({@code BigDecimal}, {@code float}, binary, unpaired surrogates, nesting deeper than
 * 40, keys over 1,000 chars) are encoded by Jackson, with the same quoting, and validated by
 * decoding, as for JSON, Markdown and any other codec. NaN and infinities have no JSON or YAML form
 * that reads back as a number: encoding them fails with an {@link IllegalArgumentException}.
 * Decoding JSON or YAML refuses a key given twice in one mapping ({@link InvalidDocumentException},
 * with the line): read with the last one winning, as Jackson and PyYAML do by default, the earlier
 * value would vanish from the next commit unseen.
 *
 * <p>YAML is read as PyYAML's {@code safe_load} reads it (YAML 1.1), so that a document a Python
 * agent wrote means the same to both sides and keeps its meaning through commits: an unquoted
 * {@code 1e3} or {@code 123e4567} is a string (a YAML 1.1 float needs a dot and a signed exponent,
 * {@code 1.0e+3}), {@code yes}/{@code no}/{@code on}/{@code off} are booleans, {@code 017} is
 * octal, {@code 1_000} is 1000, {@code 1:30} is 90 (base 60), {@code ~} is null. What the JSON
 * model cannot hold as PyYAML reads it is refused with an {@link InvalidDocumentException} naming
 * the line and the key, and the file is left alone: {@code .inf}, {@code .nan} and floats beyond a
 * double (PyYAML: infinity), timestamps such as {@code 2024-01-02} (PyYAML: a date; written back as
 * a quoted string it would become a string to PyYAML), the merge key {@code <<}, and keys that are
 * not strings to PyYAML ({@code 1:}, {@code on:}, {@code null:}): the model's keys are strings, and
 * writing {@code "1":} back would give PyYAML a string key. Quoted scalars are strings, as
 * everywhere.
 *
 * <p>All codecs are immutable and thread-safe.
 */
public final class DocumentCodecs {
  private DocumentCodecs() {}

  /** Untyped JSON: the top level must be an object. */
  public static DocumentCodec<ObjectNode> json() {
    return JacksonCodec.json(null);
  }

  /** JSON mapped to {@code type} (a record or bean with a {@code revision} property). */
  public static <T> DocumentCodec<T> json(Class<T> type) {
    return JacksonCodec.json(Objects.requireNonNull(type, "type must not be null"));
  }

  /** Untyped YAML: the top level must be a mapping. */
  public static DocumentCodec<ObjectNode> yaml() {
    return JacksonCodec.yaml(null);
  }

  /** YAML mapped to {@code type} (a record or bean with a {@code revision} property). */
  public static <T> DocumentCodec<T> yaml(Class<T> type) {
    return JacksonCodec.yaml(Objects.requireNonNull(type, "type must not be null"));
  }

  /**
   * {@code text} read as one YAML value (a scalar, a flow or block sequence or mapping) the way
   * {@link #yaml()} reads the values of a document — PyYAML's YAML 1.1 resolution, described above
   * — so that a value given on its own (a command line's {@code KEY=VALUE}, say) means what the
   * same text means in a YAML file: {@code 1e3} is a string, {@code 1:30} is 90, {@code yes} is
   * true, {@code '1e3'} and {@code "yes"} are strings, {@code {"a": 1}} is an object.
   *
   * @return the value; empty when {@code text} is not YAML (a syntax error) or holds no value (it
   *     is empty, or only a comment)
   * @throws IllegalArgumentException for what decoding a YAML document refuses: a scalar PyYAML
   *     reads as something the JSON model cannot hold (a timestamp such as {@code 2024-01-02},
   *     {@code .inf}, {@code .nan}, a float beyond a double), a key that is not a string to PyYAML
   *     ({@code {1: a}}), a key given twice in one mapping. The message, on one line, names the
   *     value's place inside {@code text} ({@code 'a[1]': }, nothing at the top) and how to quote
   *     it.
   */
  public static Optional<JsonNode> yamlValue(String text) {
    return Yaml.CODEC.yamlValue(Objects.requireNonNull(text, "text must not be null"));
  }

  /** The untyped YAML codec of {@link #yamlValue}, made on first use. */
  private static final class Yaml {
    static final JacksonCodec<ObjectNode> CODEC = JacksonCodec.yaml(null);
  }

  /**
   * The untyped codec for a file's extension: {@code .json} → {@link #json()}, {@code .yaml} and
   * {@code .yml} → {@link #yaml()}, {@code .md} → {@link Workflow#codec()} (the Markdown workflow
   * format). The result is a wildcard because the formats have different models.
   *
   * @throws IllegalArgumentException for any other extension, naming it
   */
  public static DocumentCodec<?> forPath(Path path) {
    Path name = Objects.requireNonNull(path, "path must not be null").getFileName();
    String file = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    if (file.endsWith(".json")) {
      return json();
    }
    if (file.endsWith(".yaml") || file.endsWith(".yml")) {
      return yaml();
    }
    if (file.endsWith(".md")) {
      return Workflow.codec();
    }
    throw new IllegalArgumentException(
        "unknown document extension for " + path + ": expected .json, .yaml, .yml or .md");
  }
}
