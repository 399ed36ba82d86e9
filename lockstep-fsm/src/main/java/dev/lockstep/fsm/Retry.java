package dev.lockstep.fsm;

/**
 * How often {@link FsmEngine#fire(String, String, String, java.util.Map, Retry)} re-reads the
 * entity and re-evaluates the event after a {@link FireResult.Conflict}. Each retry is a full new
 * attempt (read, allowed?, guard, conditional update) and is logged as its own attempt. Only
 * conflicts are retried: a not-allowed event, a rejecting guard or a failure are answers, not
 * races.
 *
 * @param retries how many extra attempts after the first, 0 or more
 */
public record Retry(int retries) {
  private static final Retry NONE = new Retry(0);

  /** Checks the count. */
  public Retry {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0, got " + retries);
    }
  }

  /** Returns no retry: a conflict is returned to the caller. The default. */
  public static Retry none() {
    return NONE;
  }

  /** Returns up to {@code n} retries after conflicts. */
  public static Retry upTo(int n) {
    return new Retry(n);
  }
}
