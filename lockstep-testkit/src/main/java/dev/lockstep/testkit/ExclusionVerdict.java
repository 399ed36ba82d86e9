package dev.lockstep.testkit;

/**
 * What {@link ExclusionChecker} concluded about a history: it is one a correct lock could have
 * produced, or it contains a pair of intervals that no correct lock would have let overlap.
 */
public sealed interface ExclusionVerdict {

  /** Whether the history is consistent with the lock's rules. */
  boolean consistent();

  /**
   * Throws an {@link AssertionError} describing the violation, if there is one.
   *
   * @return this verdict, when consistent
   */
  default ExclusionVerdict orThrow() {
    if (this instanceof Violation v) {
      throw new AssertionError(v.describe());
    }
    return this;
  }

  /**
   * The history is consistent: per key, exclusive intervals overlapped nothing and shared intervals
   * overlapped only other shared ones.
   *
   * @param intervals how many intervals were checked
   * @param keys how many distinct keys they covered
   */
  record Consistent(int intervals, int keys) implements ExclusionVerdict {
    @Override
    public boolean consistent() {
      return true;
    }
  }

  /**
   * Two intervals of one key overlapped although the rules forbid it.
   *
   * @param earlier the interval that was entered first
   * @param later the interval that entered while {@code earlier} was still open
   */
  record Violation(Interval earlier, Interval later) implements ExclusionVerdict {
    @Override
    public boolean consistent() {
      return false;
    }

    /** A one-line description naming both intervals, for assertion messages. */
    public String describe() {
      return "overlap on key '"
          + earlier.key()
          + "': "
          + later
          + " entered while "
          + earlier
          + " was still inside";
    }

    @Override
    public String toString() {
      return describe();
    }
  }
}
