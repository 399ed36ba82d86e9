package dev.lockstep.lock;

/**
 * A tiny streaming JSON writer for snapshots, so that core needs no JSON library. Writes compact
 * JSON; strings are escaped per RFC 8259 (control characters and lone surrogates as hexadecimal
 * escapes, so that the text stays valid once encoded in UTF-8).
 */
final class Json {
  private final StringBuilder sb = new StringBuilder(256);
  private boolean needComma;

  Json beginObject() {
    comma();
    sb.append('{');
    needComma = false;
    return this;
  }

  Json endObject() {
    sb.append('}');
    needComma = true;
    return this;
  }

  Json beginArray() {
    comma();
    sb.append('[');
    needComma = false;
    return this;
  }

  Json endArray() {
    sb.append(']');
    needComma = true;
    return this;
  }

  Json name(String name) {
    comma();
    string(name);
    sb.append(':');
    needComma = false;
    return this;
  }

  Json field(String name, String value) {
    name(name);
    return value(value);
  }

  Json field(String name, long value) {
    name(name);
    sb.append(value);
    needComma = true;
    return this;
  }

  Json field(String name, double value) {
    name(name);
    if (Double.isFinite(value)) {
      sb.append(value);
    } else {
      sb.append("null");
    }
    needComma = true;
    return this;
  }

  Json field(String name, boolean value) {
    name(name);
    sb.append(value);
    needComma = true;
    return this;
  }

  Json value(String value) {
    comma();
    if (value == null) {
      sb.append("null");
    } else {
      string(value);
    }
    needComma = true;
    return this;
  }

  private void comma() {
    if (needComma) {
      sb.append(',');
    }
  }

  private void string(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i)); // a pair: one character beyond the BMP
          } else if (c < 0x20 || Character.isSurrogate(c)) {
            // A lone surrogate has no UTF-8 form; escaped, the document stays valid when encoded.
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
