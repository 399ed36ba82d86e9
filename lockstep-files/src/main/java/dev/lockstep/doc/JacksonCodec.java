package dev.lockstep.doc;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * JSON and YAML documents through Jackson: untyped ({@link ObjectNode}) or typed (a record or bean
 * with a {@code revision} property). The revision is the top-level {@code revision} field.
 */
final class JacksonCodec<T> implements TreeCodec<T> {
  static final String REVISION = "revision";

  private final String format;
  private final ObjectMapper mapper;
  private final ObjectWriter writer;
  private final Class<T> type; // null: untyped ObjectNode
  private final boolean trailingNewline;
  private final boolean yaml;

  private JacksonCodec(String format, ObjectMapper mapper, ObjectWriter writer, Class<T> type) {
    this.format = format;
    this.mapper = mapper;
    this.writer = writer;
    this.type = type;
    this.trailingNewline = format.equals("json");
    this.yaml = format.equals("yaml");
  }

  static <T> JacksonCodec<T> json(Class<T> type) {
    ObjectMapper mapper =
        strict(
            new ObjectMapper(
                JsonFactory.builder().addDecorator(JacksonCodec::finiteNumbers).build()));
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    return new JacksonCodec<>("json", mapper, mapper.writer(printer), type);
  }

  static <T> JacksonCodec<T> yaml(Class<T> type) {
    // plain scalars resolved as PyYAML (YAML 1.1) resolves them: see Yaml11
    YAMLFactory factory =
        new Yaml11.Factory(
            YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .stringQuotingChecker(new YamlQuoting()));
    ObjectMapper mapper = strict(new ObjectMapper(factory));
    return new JacksonCodec<>("yaml", mapper, mapper.writer(), type);
  }

  /**
   * Refuses a key given twice in one mapping: read with the last one winning (Jackson's default,
   * and PyYAML's), the earlier value would be gone from the next commit without anyone having
   * changed it.
   */
  private static ObjectMapper strict(ObjectMapper mapper) {
    return mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }

  /**
   * A generator that refuses NaN and the infinities, instead of Jackson's writing them as the
   * strings {@code "NaN"}, {@code "Infinity"} (JSON) or words YAML reads back as strings: either
   * way the committed document would hold a string where the caller put a number.
   */
  private static JsonGenerator finiteNumbers(JsonFactory factory, JsonGenerator generator) {
    return new JsonGeneratorDelegate(generator, false) {
      @Override
      public void writeNumber(double v) throws IOException {
        finite(v);
        super.writeNumber(v);
      }

      @Override
      public void writeNumber(float v) throws IOException {
        finite(v);
        super.writeNumber(v);
      }

      private void finite(double v) throws JsonGenerationException {
        if (!Double.isFinite(v)) {
          throw new JsonGenerationException(notFinite(v), this);
        }
      }
    };
  }

  /**
   * For Jackson's YAML writer (used when {@link YamlEmitter} declines a document): fractional
   * numbers as the emitter writes them, which YAML 1.1 readers (PyYAML, and this codec's {@link
   * Yaml11} reading) take for floats: Jackson wrote {@code 1.0E10} and a {@code BigDecimal} as
   * {@code 1E+3}, strings to them (a float needs a dot and a signed exponent). A {@code float} or
   * {@code BigDecimal} becomes the double that decoding its text would give; NaN and infinities are
   * refused, as by {@link #finiteNumbers}.
   */
  private static JsonGenerator yamlNumbers(JsonGenerator generator) {
    return new JsonGeneratorDelegate(generator, false) {
      @Override
      public void writeNumber(double v) throws IOException {
        super.writeNumber(text(v));
      }

      @Override
      public void writeNumber(float v) throws IOException {
        super.writeNumber(text(Double.parseDouble(Float.toString(v))));
      }

      @Override
      public void writeNumber(BigDecimal v) throws IOException {
        super.writeNumber(text(v.doubleValue()));
      }

      private String text(double v) throws JsonGenerationException {
        if (!Double.isFinite(v)) {
          throw new JsonGenerationException(notFinite(v), this);
        }
        return YamlEmitter.doubleText(v);
      }
    };
  }

  /** As {@link #finiteNumbers}, for a tree. */
  private static void requireFinite(JsonNode tree) {
    JsonNode node = nonFinite(tree);
    if (node != null) {
      throw new IllegalArgumentException(
          "cannot encode the document as yaml: " + notFinite(node.doubleValue()));
    }
  }

  /** A NaN or infinite number in {@code tree}, or null when there is none. */
  private static JsonNode nonFinite(JsonNode tree) {
    ArrayDeque<JsonNode> left = new ArrayDeque<>();
    left.push(tree);
    while (!left.isEmpty()) {
      JsonNode node = left.pop();
      if (node.isContainerNode()) {
        node.forEach(left::push);
      } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
        return node;
      }
    }
    return null;
  }

  /** Why NaN or an infinity cannot be encoded, for both of the checks above. */
  private static String notFinite(double v) {
    return v + " is not a number JSON or YAML can hold (NaN and infinities are refused)";
  }

  /**
   * The quoting of Jackson's writer (used when {@link YamlEmitter} declines a document): the
   * emitter's rule, so that no string comes back as something else. Jackson's own minimal quoting
   * wrote {@code -1}, {@code 0x1F}, {@code 1_000}, {@code 1e3} plain (read back as numbers) and
   * {@code .nan}, {@code .inf} plain (which its parser then refuses).
   */
  static final class YamlQuoting extends StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean needToQuoteValue(String value) {
      return !YamlEmitter.plain(value);
    }
  }

  @Override
  public String format() {
    return format;
  }

  @Override
  public T decode(byte[] content, String source) {
    JsonNode tree;
    try {
      tree = mapper.readTree(content);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw invalid(source, at == null ? 0 : Math.max(0, at.getLineNr()), problem(e));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fromTree(tree, source);
  }

  /**
   * {@code text} read as one YAML value (a scalar, flow or block sequence or mapping) the way
   * {@link #decode} reads a YAML document's values: see {@link DocumentCodecs#yamlValue}.
   */
  Optional<JsonNode> yamlValue(String text) {
    if (!yaml) {
      throw new IllegalStateException("not a yaml codec: " + format);
    }
    JsonNode node;
    try {
      node = mapper.readTree(text);
    } catch (Yaml11.Refused e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      if (duplicate(e)) {
        throw new IllegalArgumentException(problem(e), e);
      }
      return Optional.empty(); // not YAML
    }
    if (node == null || node.isMissingNode()) {
      return Optional.empty();
    }
    JsonNode bad = nonFinite(node); // an explicit !!float .inf
    if (bad != null) {
      throw new IllegalArgumentException(notFinite(bad.doubleValue()));
    }
    return Optional.of(node);
  }

  @Override
  public T fromTree(JsonNode tree, String source) {
    if (tree == null || tree.isMissingNode() || !tree.isObject()) {
      throw invalid(source, 0, "the top level must be a mapping (an object), not " + kind(tree));
    }
    JsonNode revision = tree.get(REVISION);
    if (revision != null
        && !revision.isNull()
        && !(revision.canConvertToLong()
            && revision.isIntegralNumber()
            && revision.asLong() >= 0)) {
      throw invalid(source, 0, "'revision' must be a non-negative integer, not " + revision);
    }
    if (type == null) {
      @SuppressWarnings(
          "unchecked") // type == null only for JacksonCodec<ObjectNode> (see factories)
      T node = (T) tree;
      return node;
    }
    try {
      return mapper.treeToValue(tree, type);
    } catch (JsonProcessingException e) {
      throw invalid(
          source, 0, "does not match " + type.getSimpleName() + ": " + e.getOriginalMessage());
    }
  }

  @Override
  public boolean valueIsTree() {
    return type == null;
  }

  @Override
  public JsonNode tree(T value) {
    return type == null ? ((JsonNode) value).deepCopy() : mapper.valueToTree(value);
  }

  /**
   * For YAML: the {@link YamlEmitter}'s output when it supports the tree, with the tree decoding
   * gives (for an untyped document, integers normalized to the node kinds the parser produces; for
   * a typed one, the same tree as {@link #tree}). JSON is not trusted (its decode is cheap).
   */
  @Override
  public Encoded encodeTrusted(T value) {
    return encodeTrusted(value, null);
  }

  /**
   * As {@link #encodeTrusted(Object)}; a previous YAML output's unchanged fields are copied, not
   * written again ({@link YamlEmitter#emit(ObjectNode, YamlEmitter.Emitted)}).
   */
  @Override
  public Encoded encodeTrusted(T value, Encoded previous) {
    if (!yaml) {
      return null;
    }
    // untyped: a normalized copy sharing the previous output's unchanged nodes (never changed:
    // they belong to an earlier state's tree), so diffing and emitting skip them by identity
    JsonNode tree =
        type != null
            ? mapper.valueToTree(value)
            : YamlEmitter.normalized((JsonNode) value, previous == null ? null : previous.tree());
    if (!(tree instanceof ObjectNode root)) {
      return null;
    }
    try {
      YamlEmitter.Emitted emitted =
          YamlEmitter.emit(
              root,
              previous != null && previous.reusable() instanceof YamlEmitter.Emitted e ? e : null);
      return new Encoded(emitted.bytes(), tree, emitted);
    } catch (YamlEmitter.Unsupported e) {
      return null;
    }
  }

  @Override
  public byte[] encode(T value) {
    if (!yaml) {
      return jackson(value);
    }
    JsonNode tree = type == null ? (JsonNode) value : mapper.valueToTree(value);
    if (tree instanceof ObjectNode root) {
      try {
        return YamlEmitter.emit(root);
      } catch (YamlEmitter.Unsupported e) {
        // below
      }
    }
    requireFinite(tree); // as finiteNumbers does for JSON: YAMLFactory ignores decorators
    // Jackson's writer; then, if what it wrote reads back as a tree the emitter supports (a
    // BigDecimal or float becomes a double), the emitter's rendering of that, so that encoding a
    // decoded document gives its bytes back
    byte[] bytes = jackson(value);
    try {
      if (mapper.readTree(bytes) instanceof ObjectNode decoded) {
        return YamlEmitter.emit(decoded);
      }
    } catch (IOException | YamlEmitter.Unsupported e) {
      // keep Jackson's bytes (the engine validates them by decoding)
    }
    return bytes;
  }

  private byte[] jackson(T value) {
    try {
      byte[] bytes;
      if (yaml) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g =
            yamlNumbers(mapper.getFactory().createGenerator(out, JsonEncoding.UTF8))) {
          writer.writeValue(g, value);
        }
        bytes = out.toByteArray();
      } else {
        bytes = writer.writeValueAsBytes(value);
      }
      if (!trailingNewline) {
        return bytes;
      }
      byte[] withNewline = java.util.Arrays.copyOf(bytes, bytes.length + 1);
      withNewline[bytes.length] = '\n';
      return withNewline;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot encode the document as " + format + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public long revision(T value) {
    JsonNode tree = type == null ? (JsonNode) value : mapper.valueToTree(value);
    JsonNode revision = tree.get(REVISION);
    return revision == null || !revision.canConvertToLong() ? 0 : revision.asLong();
  }

  @Override
  public T withRevision(T value, long revision) {
    JsonNode tree = tree(value);
    ObjectNode object = (ObjectNode) tree;
    ObjectNode result;
    if (object.has(REVISION)) {
      object.put(REVISION, revision);
      result = object;
    } else {
      result = mapper.createObjectNode();
      result.put(REVISION, revision);
      result.setAll(object);
    }
    if (type == null) {
      @SuppressWarnings("unchecked") // type == null only for JacksonCodec<ObjectNode>
      T node = (T) result;
      return node;
    }
    try {
      return mapper.treeToValue(result, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          type.getSimpleName() + " cannot carry a revision: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public T withRevisionOwned(T value, long revision) {
    if (type == null && value instanceof ObjectNode object && object.has(REVISION)) {
      object.put(REVISION, revision); // keeps the field's place
      return value;
    }
    return withRevision(value, revision);
  }

  /** Codecs of the same format and type are interchangeable, so their stores combine commits. */
  @Override
  public boolean equals(Object o) {
    return o instanceof JacksonCodec<?> other
        && format.equals(other.format)
        && java.util.Objects.equals(type, other.type);
  }

  @Override
  public int hashCode() {
    return format.hashCode() * 31 + java.util.Objects.hashCode(type);
  }

  @Override
  public String toString() {
    return format + (type == null ? "" : "(" + type.getSimpleName() + ")");
  }

  private static String kind(JsonNode tree) {
    return tree == null || tree.isMissingNode()
        ? "an empty document"
        : tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static InvalidDocumentException invalid(String source, int line, String message) {
    return new InvalidDocumentException(
        source, List.of(new InvalidDocumentException.Problem(line, message)));
  }

  /** A parse error's problem in the document's terms, on one line. */
  private static String problem(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (duplicate(e)) {
      int end = message.indexOf('\'', "Duplicate field '".length());
      String key = end < 0 ? "?" : message.substring("Duplicate field '".length(), end);
      return "key '"
          + key
          + "' appears twice in one mapping (keep one: the later would silently replace the"
          + " earlier)";
    }
    return oneLine(message);
  }

  /** A key given twice in one mapping ({@link #strict}). */
  private static boolean duplicate(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    return message != null && message.startsWith("Duplicate field '");
  }

  /**
   * SnakeYAML's messages span several lines: the problem, then {@code in 'reader', line 7, column
   * 1:}, a copy of the line and a caret. The line number is reported on its own, so keep the
   * problem's words, on one line: {@code while parsing a flow node; expected the node content, but
   * found '<stream end>'}.
   */
  static String oneLine(String message) {
    if (message == null || message.indexOf('\n') < 0) {
      return message;
    }
    StringBuilder sb = new StringBuilder();
    for (String line : message.split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("in '") || t.chars().allMatch(c -> c == '^' || c == ' ')) {
        continue;
      }
      if (line.startsWith("    ")) {
        continue; // SnakeYAML's copy of the offending line
      }
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(t);
    }
    return sb.length() == 0 ? message.strip() : sb.toString();
  }
}
