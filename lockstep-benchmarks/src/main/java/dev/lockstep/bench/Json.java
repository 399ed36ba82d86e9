package dev.lockstep.bench;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A tiny JSON writer for maps, lists, strings, numbers, booleans and null (no dependency). */
final class Json {
  private Json() {}

  /** The value as indented JSON. */
  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object value, int indent) {
    switch (value) {
      case null -> sb.append("null");
      case String s -> string(sb, s);
      case Boolean b -> sb.append(b);
      case Double d -> number(sb, d);
      case Float f -> number(sb, f.doubleValue());
      case Number n -> sb.append(n.longValue());
      case Map<?, ?> m -> object(sb, m, indent);
      case List<?> l -> array(sb, l, indent);
      default -> string(sb, value.toString());
    }
  }

  private static void number(StringBuilder sb, double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      sb.append("null");
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      sb.append((long) d);
    } else {
      // Enough digits to compare runs; no binary noise such as 0.30000000000000004.
      sb.append(Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6g", d)));
    }
  }

  private static void object(StringBuilder sb, Map<?, ?> m, int indent) {
    if (m.isEmpty()) {
      sb.append("{}");
      return;
    }
    boolean flat = m.values().stream().noneMatch(v -> v instanceof Map || v instanceof List);
    sb.append('{');
    Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<?, ?> e = it.next();
      if (flat) {
        sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : " ");
      } else {
        newline(sb, indent + 1);
      }
      string(sb, String.valueOf(e.getKey()));
      sb.append(": ");
      write(sb, e.getValue(), indent + 1);
      if (it.hasNext()) {
        sb.append(',');
      }
    }
    if (!flat) {
      newline(sb, indent);
    }
    sb.append('}');
  }

  private static void array(StringBuilder sb, List<?> l, int indent) {
    if (l.isEmpty()) {
      sb.append("[]");
      return;
    }
    sb.append('[');
    for (int i = 0; i < l.size(); i++) {
      newline(sb, indent + 1);
      write(sb, l.get(i), indent + 1);
      if (i + 1 < l.size()) {
        sb.append(',');
      }
    }
    newline(sb, indent);
    sb.append(']');
  }

  private static void newline(StringBuilder sb, int indent) {
    sb.append('\n').append("  ".repeat(indent));
  }

  private static void string(StringBuilder sb, String s) {
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
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
