package dev.lockstep.doc;

import java.util.Objects;

/**
 * One task line of a Markdown workflow: {@code - [x] fetch sources}.
 *
 * <p>The text is kept verbatim, everything after {@code "- [x] "} up to the end of the line (inner,
 * leading and trailing spaces included), so a decoded task renders back byte for byte. It must
 * contain a non-whitespace character and no line break ({@code \n} or {@code \r}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param state the checkbox
 * @param text what the task is, verbatim
 */
public record WorkflowTask(State state, String text) {

  /**
   * The checkbox of a task. Exactly three markers are accepted, lower case, one character between
   * the brackets: {@code [ ]}, {@code [~]} and {@code [x]}. Anything else ({@code [X]}, {@code
   * [!]}, {@code [-]}, {@code []}) is refused by the codec as a bad checkbox.
   */
  public enum State {
    /** {@code [ ]}: not started. */
    PENDING(' '),
    /** {@code [~]}: being worked on. */
    IN_PROGRESS('~'),
    /** {@code [x]}: finished. */
    DONE('x');

    private final char marker;

    State(char marker) {
      this.marker = marker;
    }

    /** The character between the brackets: {@code ' '}, {@code '~'} or {@code 'x'}. */
    public char marker() {
      return marker;
    }

    /** The checkbox as written, such as {@code [~]}. */
    public String checkbox() {
      return "[" + marker + "]";
    }

    /**
     * The state whose marker is {@code c}, or {@code null} when {@code c} is no accepted marker.
     */
    static State ofMarker(char c) {
      for (State s : values()) {
        if (s.marker == c) {
          return s;
        }
      }
      return null;
    }
  }

  /**
   * Validates the components.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code text} is blank or contains a line break
   */
  public WorkflowTask {
    Objects.requireNonNull(state, "state");
    WorkflowText.requireLineText(text, "task text");
  }

  /** A task not started yet: {@code - [ ] text}. */
  public static WorkflowTask pending(String text) {
    return new WorkflowTask(State.PENDING, text);
  }

  /** A task being worked on: {@code - [~] text}. */
  public static WorkflowTask inProgress(String text) {
    return new WorkflowTask(State.IN_PROGRESS, text);
  }

  /** A finished task: {@code - [x] text}. */
  public static WorkflowTask done(String text) {
    return new WorkflowTask(State.DONE, text);
  }

  /** This task with another state. */
  public WorkflowTask withState(State newState) {
    return new WorkflowTask(newState, text);
  }

  /** The Markdown line, without line terminator: {@code - [x] text}. */
  public String toMarkdown() {
    return "- " + state.checkbox() + " " + text;
  }
}
