package dev.lockstep.doc;

import java.io.Serial;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A document's content is not valid for its format. Nothing was written: invalid content is refused
 * before the commit point. {@link #problems()} lists each problem with its 1-based line number
 * ({@code 0} when a problem concerns the document as a whole, such as a missing section).
 */
public final class InvalidDocumentException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /** One problem in a document: the 1-based line (0 for the whole document) and what is wrong. */
  public record Problem(int line, String message) {
    /** Renders as {@code source:line: message}, the way compilers report errors. */
    public String describe(String source) {
      return line > 0 ? source + ":" + line + ": " + message : source + ": " + message;
    }
  }

  private final String source;
  private final transient List<Problem> problems;

  /**
   * Creates the exception.
   *
   * @param source the file (or other source) the content came from
   * @param problems at least one problem
   */
  public InvalidDocumentException(String source, List<Problem> problems) {
    super(message(source, problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an invalid document needs at least one problem");
    }
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** The file (or other source) the content came from. */
  public String source() {
    return source;
  }

  /** Every problem found, in line order. */
  public List<Problem> problems() {
    return problems;
  }

  private static String message(String source, List<Problem> problems) {
    return "invalid document "
        + source
        + ":\n"
        + problems.stream().map(p -> "  " + p.describe(source)).collect(Collectors.joining("\n"));
  }
}
