package dev.lockstep.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one {@link LockStressHarness} run did and found. An immutable value; {@link #assertClean()}
 * turns the findings into one assertion.
 *
 * @param target the lock that was driven (its {@code toString()})
 * @param threadKind platform or virtual threads
 * @param threads how many worker threads ran
 * @param keys how many distinct keys they used
 * @param seed the seed the workers' random choices were derived from
 * @param attempts how many times each operation was attempted
 * @param outcomes how the attempts ended
 * @param errors the first few unexpected failures (at most a handful; {@code outcomes.errors()}
 *     counts all of them)
 * @param exclusion the verdict on the recorded critical sections (mutual exclusion for a keyed
 *     lock, read-write rules for a read-write lock)
 * @param lostUpdates exclusive sections minus the increments found in the per-key plain counters:
 *     non-zero means two writers were inside one key at once
 * @param activeKeysAfter what the active-keys callback returned after all threads finished
 * @param openSections critical sections entered and never left
 * @param overlapsAcrossKeys sections entered while another key's section was open (evidence that
 *     different keys proceeded in parallel)
 * @param peakConcurrentKeys the most keys that had an open section at once
 * @param unfinishedThreads workers still running at the deadline (hung or far too slow)
 * @param elapsed wall-clock time of the run
 */
public record StressReport(
    String target,
    ThreadKind threadKind,
    int threads,
    int keys,
    long seed,
    Map<StressOp, Long> attempts,
    Outcomes outcomes,
    List<Throwable> errors,
    ExclusionVerdict exclusion,
    long lostUpdates,
    int activeKeysAfter,
    int openSections,
    long overlapsAcrossKeys,
    int peakConcurrentKeys,
    int unfinishedThreads,
    Duration elapsed) {

  /** Copies the collections. */
  public StressReport {
    attempts = Map.copyOf(attempts);
    errors = List.copyOf(errors);
  }

  /**
   * How the attempts ended. Every attempt ends in exactly one of these.
   *
   * @param acquired holds obtained, used in a critical section and released
   * @param busy tries without a timeout that found the key busy
   * @param timedOut timed waits that ran out (thrown, empty, or a failed future)
   * @param cancelled asynchronous waits whose cancellation won against the grant
   * @param interrupted blocking waits ended by an interrupt
   * @param rejected acquisitions refused by the lock's limit on active keys
   * @param errors anything else: an unexpected exception or a failed internal check
   */
  public record Outcomes(
      long acquired,
      long busy,
      long timedOut,
      long cancelled,
      long interrupted,
      long rejected,
      long errors) {

    /** The sum of all outcomes, which equals the number of attempts. */
    public long total() {
      return acquired + busy + timedOut + cancelled + interrupted + rejected + errors;
    }
  }

  /** Whether the run found nothing wrong (see {@link #assertClean()}). */
  public boolean clean() {
    return problems().isEmpty();
  }

  /**
   * Asserts that the run found nothing wrong: no unexpected errors, no exclusion violation, no lost
   * update, no active key and no open section left, every thread finished.
   *
   * @throws AssertionError listing every problem found, with the first unexpected failure as its
   *     cause
   */
  public void assertClean() {
    List<String> problems = problems();
    if (problems.isEmpty()) {
      return;
    }
    AssertionError e =
        new AssertionError(
            "stress run found problems:\n  - " + String.join("\n  - ", problems) + "\n" + this);
    if (!errors.isEmpty()) {
      e.initCause(errors.get(0));
      errors.subList(1, errors.size()).forEach(e::addSuppressed);
    }
    throw e;
  }

  private List<String> problems() {
    List<String> p = new ArrayList<>();
    if (outcomes.errors() > 0) {
      p.add(outcomes.errors() + " unexpected failures, first: " + errors);
    }
    if (exclusion instanceof ExclusionVerdict.Violation v) {
      p.add(v.describe());
    }
    if (lostUpdates != 0) {
      p.add(lostUpdates + " lost updates to the per-key counters");
    }
    if (activeKeysAfter != 0) {
      p.add(activeKeysAfter + " keys still active after every hold was released");
    }
    if (openSections != 0) {
      p.add(openSections + " critical sections never closed");
    }
    if (unfinishedThreads != 0) {
      p.add(unfinishedThreads + " threads still running at the deadline");
    }
    return p;
  }

  @Override
  public String toString() {
    return String.format(
        "StressReport[%s, %d %s threads, %d keys, seed %d, %s; attempts %s; %s; lost updates %d,"
            + " active keys after %d, open sections %d, cross-key overlaps %d, peak keys %d,"
            + " unfinished threads %d, %d ms]",
        target,
        threads,
        threadKind,
        keys,
        seed,
        outcomes,
        attempts,
        exclusion,
        lostUpdates,
        activeKeysAfter,
        openSections,
        overlapsAcrossKeys,
        peakConcurrentKeys,
        unfinishedThreads,
        elapsed.toMillis());
  }
}
