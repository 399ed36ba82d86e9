package dev.lockstep.fsm;

import java.util.Objects;

/**
 * One problem found in a machine definition: the element it concerns, the line of the definition
 * file it was found on ({@code -1} for definitions built in Java, or when the line is unknown), and
 * a message.
 *
 * <p>Immutable and thread-safe.
 *
 * @param element the element, such as {@code state THINKING}, {@code transition #2 (A --go--> B)},
 *     {@code initial}, {@code event ping} or {@code guard hasBudget}
 * @param line the 1-based line in the definition file, or {@code -1}
 * @param message what is wrong
 */
public record DefinitionError(String element, int line, String message) {

  /** Checks the fields. */
  public DefinitionError {
    Objects.requireNonNull(element, "element");
    Objects.requireNonNull(message, "message");
  }

  /**
   * Returns {@code line N: element: message}, or {@code element: message} when the line is unknown.
   */
  @Override
  public String toString() {
    return (line > 0 ? "line " + line + ": " : "") + element + ": " + message;
  }
}
