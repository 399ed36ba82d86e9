package dev.lockstep.doc;

import java.util.List;
import java.util.Map;

/**
 * How a decoded document was laid out, beyond what the model says: its line ending, whether its
 * last line ends with one, and the blank lines (verbatim, spaces included) before each line and at
 * the end. With the strict grammar every other line has exactly one spelling, so this is all that
 * byte-identical rendering needs.
 *
 * <p>Lines are identified by keys ({@link #title()}, {@link #field}, {@link #task}...). A line the
 * original did not have (a task added by a wither, a new Revision line) has no entry and gets the
 * canonical spacing: one blank line before {@code ## Completed}, none elsewhere.
 */
final class WorkflowLayout {
  static final WorkflowLayout CANONICAL = new WorkflowLayout("\n", true, Map.of(), List.of());

  private final String lineEnding;
  private final boolean finalNewline;
  private final Map<String, List<String>> blanksBefore;
  private final List<String> trailingBlanks;

  WorkflowLayout(
      String lineEnding,
      boolean finalNewline,
      Map<String, List<String>> blanksBefore,
      List<String> trailingBlanks) {
    this.lineEnding = lineEnding;
    this.finalNewline = finalNewline;
    this.blanksBefore = Map.copyOf(blanksBefore);
    this.trailingBlanks = List.copyOf(trailingBlanks);
  }

  String lineEnding() {
    return lineEnding;
  }

  boolean finalNewline() {
    return finalNewline;
  }

  List<String> trailingBlanks() {
    return trailingBlanks;
  }

  /** The blank lines to write before the line with {@code key}. */
  List<String> blanksBefore(String key) {
    List<String> blanks = blanksBefore.get(key);
    if (blanks != null) {
      return blanks;
    }
    return key.equals(section(MarkdownWorkflowSyntax.COMPLETED)) ? List.of("") : List.of();
  }

  static String title() {
    return "title";
  }

  static String field(String name) {
    return "field:" + name;
  }

  static String section(String name) {
    return "section:" + name;
  }

  /** Task {@code index} of a list: {@code completed}, {@code current}, or {@code wave<N>}. */
  static String task(String list, int index) {
    return "task:" + list + ":" + index;
  }

  static String wave(int wave) {
    return "wave:" + wave;
  }

  static String note(int index) {
    return "note:" + index;
  }
}
