package dev.lockstep.doc;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code **Status:**} of a workflow: which wave is current, out of how many, written {@code
 * Wave 2/5}.
 *
 * <p>A good status line is exactly {@code **Status:** Wave N/M}: the word {@code Wave}, one space,
 * two decimal numbers without sign or leading zeros separated by {@code /}, nothing before or
 * after, with {@code 1 <= N <= M}. Other status text ({@code Done}, {@code wave 2 of 5}, {@code
 * Wave 02/5}, {@code Wave 6/5}) is refused: there is exactly one spelling per status, which is what
 * lets a decoded document render back byte for byte. A finished workflow stays at {@code Wave M/M}
 * with nothing left in its current wave (see {@link Workflow#isFinished()}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param wave the current wave, from 1
 * @param totalWaves how many waves the workflow has, at least {@code wave}
 */
public record WorkflowStatus(int wave, int totalWaves) {
  private static final Pattern STATUS =
      Pattern.compile("Wave (0|[1-9][0-9]{0,8})/(0|[1-9][0-9]{0,8})");

  /**
   * Validates the numbers.
   *
   * @throws IllegalArgumentException unless {@code 1 <= wave <= totalWaves}
   */
  public WorkflowStatus {
    String problem = problem(wave, totalWaves);
    if (problem != null) {
      throw new IllegalArgumentException(
          "bad status Wave " + wave + "/" + totalWaves + ": " + problem);
    }
  }

  /** Wave {@code wave} of {@code totalWaves}. */
  public static WorkflowStatus of(int wave, int totalWaves) {
    return new WorkflowStatus(wave, totalWaves);
  }

  /**
   * Parses {@code Wave N/M}.
   *
   * @return the status, or empty when {@code text} is not exactly a good status
   */
  public static Optional<WorkflowStatus> parse(String text) {
    Matcher m = STATUS.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    int wave = Integer.parseInt(m.group(1));
    int total = Integer.parseInt(m.group(2));
    return problem(wave, total) == null
        ? Optional.of(new WorkflowStatus(wave, total))
        : Optional.empty();
  }

  /** Why {@code text} is not a good status, or {@code null} when it is one; for error messages. */
  static String problem(String text) {
    Matcher m = STATUS.matcher(text);
    if (!m.matches()) {
      return "expected \"Wave <current>/<total>\" such as \"Wave 2/5\"";
    }
    return problem(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  private static String problem(int wave, int total) {
    if (wave < 1) {
      return "waves are numbered from 1";
    }
    if (wave > total) {
      return "the current wave " + wave + " is past the total " + total;
    }
    return null;
  }

  /** This status moved on to the next wave. */
  WorkflowStatus next() {
    return new WorkflowStatus(wave + 1, totalWaves);
  }

  /** The status as written after {@code **Status:** }: {@code Wave 2/5}. */
  @Override
  public String toString() {
    return "Wave " + wave + "/" + totalWaves;
  }
}
