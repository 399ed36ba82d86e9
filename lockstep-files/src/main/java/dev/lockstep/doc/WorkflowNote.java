package dev.lockstep.doc;

import java.time.Instant;
import java.util.Objects;

/**
 * A line under {@code ## Notes}: {@code - 2026-01-21T10:04:00Z retrying parse after timeout}, a
 * timestamp then one space then free text.
 *
 * <p>The text is kept verbatim (it may hold colons, Markdown, unicode); it must contain a
 * non-whitespace character and no line break. Immutable and thread-safe.
 *
 * @param at when the note was written (rendered as {@link Instant#toString()}, UTC)
 * @param text the note
 */
public record WorkflowNote(Instant at, String text) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code text} is blank or contains a line break
   */
  public WorkflowNote {
    Objects.requireNonNull(at, "at");
    WorkflowText.requireLineText(text, "note text");
  }

  /** The Markdown line, without line terminator: {@code - <at> <text>}. */
  public String toMarkdown() {
    return "- " + at + " " + text;
  }
}
