package dev.lockstep.doc;

import java.util.Objects;

/** Checks shared by the model and the parser, so that both accept exactly the same values. */
final class WorkflowText {
  private WorkflowText() {}

  /**
   * Free text on one line: not blank, no {@code \n} or {@code \r}. Returns what is wrong, or null.
   */
  static String lineTextProblem(String text) {
    if (text.isBlank()) {
      return "is empty";
    }
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      return "contains a line break";
    }
    return unpairedSurrogate(text)
        ? "contains an unpaired surrogate (not encodable as UTF-8)"
        : null;
  }

  private static boolean unpairedSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  static String requireLineText(String text, String what) {
    Objects.requireNonNull(text, what);
    String problem = lineTextProblem(text);
    if (problem != null) {
      throw new IllegalArgumentException(what + " " + problem + ": " + quote(text));
    }
    return text;
  }

  /** A workflow id: at least one character, no whitespace and no line break. */
  static String idProblem(String id) {
    if (id.isEmpty()) {
      return "is empty";
    }
    for (int i = 0; i < id.length(); ) {
      int cp = id.codePointAt(i);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        return "contains whitespace";
      }
      if (cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
        return "contains an unpaired surrogate (not encodable as UTF-8)";
      }
      i += Character.charCount(cp);
    }
    return null;
  }

  /** {@code "text"}, shortened to 80 characters for messages. */
  static String quote(String text) {
    String shown = text;
    if (text.length() > 80) {
      int end = Character.isHighSurrogate(text.charAt(76)) ? 76 : 77;
      shown = text.substring(0, end) + "...";
    }
    return "\"" + shown.replace("\r", "\\r").replace("\n", "\\n") + "\"";
  }
}
