package dev.lockstep.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * Refuses the fractional numbers of JSON or YAML text that a {@code double} cannot hold, before
 * Jackson reads them as doubles: beyond its range they would become infinity (stored as the string
 * {@code "Infinity"}, or refused later without saying where), below its smallest non-zero value
 * they would become 0. Integers are left alone: they are read exactly, however large.
 */
final class DoubleRange {
  private DoubleRange() {}

  /** Where and what the first number of {@code text} that does not fit a double is. */
  record Misfit(String path, String number, boolean tooLarge) {
    /** {@code the number 1e400 does not fit a double (beyond ±1.8e308)}. */
    String problem() {
      return "the number "
          + number
          + " does not fit a double ("
          + (tooLarge ? "beyond ±1.8e308" : "non-zero but below 4.9e-324: it would become 0")
          + ")";
    }
  }

  /**
   * The first number of {@code text} (read by {@code factory}) that a double cannot hold, or null
   * when there is none. Text the factory cannot read has none: reading it fails elsewhere.
   */
  static Misfit find(JsonFactory factory, String text) {
    try (JsonParser p = factory.createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t != JsonToken.VALUE_NUMBER_FLOAT) {
          continue;
        }
        BigDecimal exact;
        try {
          exact = p.getDecimalValue();
        } catch (IOException | NumberFormatException notDecimal) {
          continue; // not a finite decimal (a YAML .inf, say): the readers decide
        }
        double d = exact.doubleValue();
        if (Double.isInfinite(d) || (d == 0 && exact.signum() != 0)) {
          return new Misfit(path(p.getParsingContext()), p.getText(), Double.isInfinite(d));
        }
      }
      return null;
    } catch (IOException unreadable) {
      return null;
    }
  }

  /** {@code a.b[2].c}; empty at the top level. */
  private static String path(JsonStreamContext context) {
    StringBuilder path = new StringBuilder();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        path.insert(0, "[" + c.getCurrentIndex() + "]");
      } else if (c.inObject()) {
        path.insert(
            0, (c.getParent() != null && c.getParent().inRoot() ? "" : ".") + c.getCurrentName());
      }
    }
    return path.toString();
  }
}
