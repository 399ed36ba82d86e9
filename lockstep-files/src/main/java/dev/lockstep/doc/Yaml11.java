package dev.lockstep.doc;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Plain (unquoted, untagged) YAML scalars resolved the way PyYAML's {@code safe_load} resolves them
 * (YAML 1.1, PyYAML's implicit resolvers and constructors, regular expressions copied from its
 * {@code resolver.py}), so that a document a Python agent wrote means the same to the store as to
 * the agent, and what the store writes back means to the agent what it meant before.
 *
 * <p>Where YAML 1.1 and Jackson's YAML 1.2 reading differ: {@code 1e3}, {@code 1E3}, {@code 1.0e3},
 * {@code 123e4567}, {@code -.5} are strings (a YAML 1.1 float needs a dot and a signed exponent:
 * {@code 1.0e+3}); {@code 1:30} is the sexagesimal 90 and {@code 1:30.5} is 90.5. What the JSON
 * model cannot hold is refused (an {@link InvalidDocumentException} naming the line and the key,
 * from {@link JacksonCodec#decode}): {@code .inf}, {@code .nan}, floats beyond a double's range
 * (PyYAML reads infinity), timestamps such as {@code 2024-01-02} (PyYAML reads a {@code
 * datetime.date}; read as a string, it would be written back quoted and become a string for
 * PyYAML), the merge key {@code <<} and the value key {@code =}, and keys that are not strings to
 * PyYAML ({@code 1:}, {@code true:}, {@code null:}, {@code on:}): the model's keys are strings, and
 * writing {@code "1":} back would give PyYAML a string key. Quoted and explicitly tagged scalars
 * are Jackson's business as before.
 */
final class Yaml11 {
  private Yaml11() {}

  /** What PyYAML makes of a plain scalar. */
  enum Kind {
    NULL,
    BOOL,
    INT,
    FLOAT,
    MERGE,
    TIMESTAMP,
    VALUE,
    STR
  }

  private static final Pattern BOOL =
      Pattern.compile("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  private static final Pattern FLOAT =
      Pattern.compile(
          "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
              + "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
              + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
              + "|[-+]?\\.(?:inf|Inf|INF)"
              + "|\\.(?:nan|NaN|NAN)");
  private static final Pattern INT =
      Pattern.compile(
          "[-+]?0b[0-1_]+"
              + "|[-+]?0[0-7_]+"
              + "|[-+]?(?:0|[1-9][0-9_]*)"
              + "|[-+]?0x[0-9a-fA-F_]+"
              + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
  private static final Pattern TIMESTAMP =
      Pattern.compile(
          "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
              + "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
              + "(?:[Tt]|[ \\t]+)[0-9][0-9]?"
              + ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
              + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?");

  /**
   * PyYAML's resolution of the plain scalar {@code s}: its resolvers are tried in the order it
   * registers them, among those registered for the first character.
   */
  static Kind kind(String s) {
    if (s.isEmpty()) {
      return Kind.NULL;
    }
    char c = s.charAt(0);
    if ("yYnNtTfFoO".indexOf(c) >= 0 && BOOL.matcher(s).matches()) {
      return Kind.BOOL;
    }
    boolean digit = c >= '0' && c <= '9';
    if ((digit || c == '-' || c == '+' || c == '.') && FLOAT.matcher(s).matches()) {
      return Kind.FLOAT;
    }
    if ((digit || c == '-' || c == '+') && INT.matcher(s).matches()) {
      return Kind.INT;
    }
    if (c == '<' && s.equals("<<")) {
      return Kind.MERGE;
    }
    if ((c == '~' || c == 'n' || c == 'N') && NULL.matcher(s).matches()) {
      return Kind.NULL;
    }
    if (digit && TIMESTAMP.matcher(s).matches()) {
      return Kind.TIMESTAMP;
    }
    if (s.equals("=")) {
      return Kind.VALUE;
    }
    return Kind.STR;
  }

  /**
   * PyYAML's {@code construct_yaml_int} of a scalar {@link #kind} resolved to {@link Kind#INT}.
   *
   * @throws NumberFormatException where PyYAML fails too (say {@code 0b_}: no digits)
   */
  static BigInteger integer(String s) {
    String v = s.replace("_", "");
    int sign = v.charAt(0) == '-' ? -1 : 1;
    if (v.charAt(0) == '-' || v.charAt(0) == '+') {
      v = v.substring(1);
    }
    BigInteger value;
    if (v.equals("0")) {
      value = BigInteger.ZERO;
    } else if (v.startsWith("0b")) {
      value = new BigInteger(v.substring(2), 2);
    } else if (v.startsWith("0x")) {
      value = new BigInteger(v.substring(2), 16);
    } else if (v.charAt(0) == '0') {
      value = new BigInteger(v, 8);
    } else if (v.indexOf(':') >= 0) {
      value = BigInteger.ZERO;
      BigInteger base = BigInteger.ONE;
      String[] parts = v.split(":", -1);
      for (int i = parts.length - 1; i >= 0; i--) {
        value = value.add(new BigInteger(parts[i]).multiply(base));
        base = base.multiply(BigInteger.valueOf(60));
      }
    } else {
      value = new BigInteger(v);
    }
    return sign < 0 ? value.negate() : value;
  }

  /**
   * PyYAML's {@code construct_yaml_float} of a scalar {@link #kind} resolved to {@link Kind#FLOAT}:
   * may be infinite or NaN (PyYAML's {@code .inf}, {@code .nan}, {@code 1.0e+400}).
   */
  static double floating(String s) {
    String v = s.replace("_", "").toLowerCase(Locale.ROOT);
    int sign = v.charAt(0) == '-' ? -1 : 1;
    if (v.charAt(0) == '-' || v.charAt(0) == '+') {
      v = v.substring(1);
    }
    if (v.equals(".inf")) {
      return sign * Double.POSITIVE_INFINITY;
    }
    if (v.equals(".nan")) {
      return Double.NaN;
    }
    if (v.indexOf(':') >= 0) {
      double value = 0.0;
      BigInteger base = BigInteger.ONE;
      String[] parts = v.split(":", -1);
      for (int i = parts.length - 1; i >= 0; i--) {
        value += Double.parseDouble(parts[i]) * base.doubleValue();
        base = base.multiply(BigInteger.valueOf(60));
      }
      return sign * value;
    }
    return sign * Double.parseDouble(v);
  }

  /**
   * A scalar or key {@link Parser} refuses: the YAML is well-formed, but PyYAML reads it as
   * something the JSON model cannot hold. The message (without the location) says what and how to
   * quote it.
   */
  static final class Refused extends JsonParseException {
    private static final long serialVersionUID = 1L;

    Refused(YAMLParser parser, String message, JsonLocation location) {
      super(parser, message, location);
    }
  }

  /** Jackson's YAML factory with {@link Parser} as its parser. */
  static final class Factory extends YAMLFactory {
    private static final long serialVersionUID = 1L;

    Factory(YAMLFactoryBuilder builder) {
      super(builder);
    }

    @Override
    protected YAMLParser _createParser(InputStream in, IOContext ctxt) throws IOException {
      return parser(ctxt, _createReader(in, null, ctxt));
    }

    @Override
    protected YAMLParser _createParser(Reader r, IOContext ctxt) throws IOException {
      return parser(ctxt, r);
    }

    @Override
    protected YAMLParser _createParser(
        char[] data, int offset, int len, IOContext ctxt, boolean recyclable) throws IOException {
      return parser(ctxt, new CharArrayReader(data, offset, len));
    }

    @Override
    protected YAMLParser _createParser(byte[] data, int offset, int len, IOContext ctxt)
        throws IOException {
      return parser(ctxt, _createReader(data, offset, len, (JsonEncoding) null, ctxt));
    }

    private YAMLParser parser(IOContext ctxt, Reader reader) {
      return new Parser(
          ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, reader);
    }
  }

  /**
   * Jackson's YAML parser with PyYAML's resolution of plain scalars, values and keys ({@link
   * #kind}). A scalar the JSON model cannot hold as PyYAML reads it fails with a {@link Refused} at
   * its line, naming its key.
   */
  static final class Parser extends YAMLParser {
    Parser(
        IOContext ctxt,
        int parserFeatures,
        int formatFeatures,
        org.yaml.snakeyaml.LoaderOptions loaderOptions,
        com.fasterxml.jackson.core.ObjectCodec codec,
        Reader reader) {
      super(ctxt, parserFeatures, formatFeatures, loaderOptions, codec, reader);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = super.nextToken();
      if (t == JsonToken.FIELD_NAME
          && _lastEvent instanceof ScalarEvent key
          && plain(key)
          && kind(key.getValue()) != Kind.STR) {
        String name = key.getValue();
        Kind kind = kind(name);
        throw refusal(
            key,
            "key '"
                + name
                + "'"
                + where(getParsingContext().getParent())
                + ": "
                + pyYaml(name, kind)
                + ", but keys are strings in Lockstep's JSON model: quote it (\""
                + name
                + "\":) to keep a string key");
      }
      return t;
    }

    @Override
    protected JsonToken _decodeScalar(ScalarEvent scalar) throws IOException {
      if (!plain(scalar)) {
        return super._decodeScalar(scalar);
      }
      String value = scalar.getValue();
      _textValue = value;
      _cleanedTextValue = null;
      Kind kind = kind(value);
      switch (kind) {
        case STR:
          return JsonToken.VALUE_STRING;
        case NULL:
          return JsonToken.VALUE_NULL;
        case BOOL:
          char c = value.charAt(0);
          return c == 'y' || c == 'Y' || c == 't' || c == 'T' || value.equalsIgnoreCase("on")
              ? JsonToken.VALUE_TRUE
              : JsonToken.VALUE_FALSE;
        case INT:
          BigInteger integer;
          try {
            integer = integer(value);
          } catch (NumberFormatException e) {
            throw refusal(scalar, at() + value + " is not an integer PyYAML can read");
          }
          return super._decodeScalar(canonical(scalar, integer.toString()));
        case FLOAT:
          double d = floating(value);
          if (!Double.isFinite(d)) {
            throw refusal(
                scalar,
                at()
                    + pyYaml(value, kind)
                    + " ("
                    + (Double.isNaN(d) ? "nan" : d > 0 ? "inf" : "-inf")
                    + "), which JSON cannot hold: quote it (\""
                    + value
                    + "\") to keep a string");
          }
          return super._decodeScalar(canonical(scalar, Double.toString(d)));
        default:
          throw refusal(
              scalar,
              at()
                  + pyYaml(value, kind)
                  + ", which Lockstep's JSON model cannot hold: quote it (\""
                  + value
                  + "\") to keep a string");
      }
    }

    /** A scalar without quotes or tag: the resolver decides what it is. */
    private static boolean plain(ScalarEvent scalar) {
      return scalar.getTag() == null && scalar.isPlain();
    }

    /** The scalar with {@code text} (a form Jackson reads as PyYAML read the original). */
    private static ScalarEvent canonical(ScalarEvent scalar, String text) {
      return new ScalarEvent(
          scalar.getAnchor(),
          scalar.getTag(),
          scalar.getImplicit(),
          text,
          scalar.getStartMark(),
          scalar.getEndMark(),
          scalar.getScalarStyle());
    }

    /** {@code 'tasks.due': } for the value being read. */
    private String at() {
      String path = path(getParsingContext());
      return path.isEmpty() ? "" : "'" + path + "': ";
    }

    private Refused refusal(Event event, String message) {
      return new Refused(this, message, _locationFor(event.getStartMark()));
    }

    /** {@code in 'a.b'} for the mapping holding a key, nothing at the top level. */
    private static String where(JsonStreamContext mapping) {
      String path = path(mapping);
      return path.isEmpty() ? " at the top level" : " in '" + path + "'";
    }

    /** {@code a.b[2].c}; empty at the top level. */
    private static String path(JsonStreamContext context) {
      StringBuilder path = new StringBuilder();
      for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
        if (c.inArray()) {
          path.insert(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
        } else if (c.inObject() && c.getCurrentName() != null) {
          boolean top = c.getParent() == null || c.getParent().inRoot();
          path.insert(0, (top ? "" : ".") + c.getCurrentName());
        }
      }
      return path.toString();
    }

    /** {@code 2024-01-02 is a timestamp to YAML 1.1 readers such as PyYAML}. */
    private static String pyYaml(String value, Kind kind) {
      String what =
          switch (kind) {
            case NULL -> "null (None)";
            case BOOL -> "a boolean";
            case INT -> "an integer";
            case FLOAT -> "a float";
            case MERGE -> "the merge key";
            case TIMESTAMP -> "a timestamp (a date or datetime)";
            case VALUE -> "the value key";
            case STR -> "a string";
          };
      return (value.isEmpty() ? "the empty scalar" : value)
          + " is "
          + what
          + " to YAML 1.1 readers such as PyYAML";
    }
  }
}
