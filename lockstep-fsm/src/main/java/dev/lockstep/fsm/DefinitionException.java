package dev.lockstep.fsm;

import java.util.List;

/**
 * Thrown when a machine definition — built in Java or loaded from a file — is invalid. Validation
 * collects every problem before throwing, so one exception lists them all in {@link #errors()}, in
 * the order they were found, and its message has one line per error.
 *
 * <p>Thrown only when a definition is built or loaded; a {@link MachineDefinition} that exists is
 * valid.
 */
public final class DefinitionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Not serialized: the message carries the same text. */
  private final transient List<DefinitionError> errors;

  /**
   * Creates the exception.
   *
   * @param source what was being defined: the machine name or the file
   * @param errors the problems, at least one
   */
  public DefinitionException(String source, List<DefinitionError> errors) {
    super(message(source, errors));
    this.errors = List.copyOf(errors);
  }

  /** Returns every problem found, in the order found; never empty. */
  public List<DefinitionError> errors() {
    return errors == null ? List.of() : errors;
  }

  private static String message(String source, List<DefinitionError> errors) {
    StringBuilder text =
        new StringBuilder("invalid machine definition ")
            .append(source)
            .append(": ")
            .append(errors.size())
            .append(errors.size() == 1 ? " error" : " errors");
    for (DefinitionError error : errors) {
      text.append(System.lineSeparator()).append("  ").append(error);
    }
    return text.toString();
  }
}
