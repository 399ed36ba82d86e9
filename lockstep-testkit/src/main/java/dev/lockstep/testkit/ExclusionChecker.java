package dev.lockstep.testkit;

import dev.lockstep.lock.LockMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a history of critical sections is one a correct lock could have produced.
 *
 * <p>For a lock, linearizability comes down to exclusion: every acquisition takes effect at some
 * instant inside its call and every release inside its call, so the histories a correct lock can
 * produce are exactly those in which, per key, the recorded sections obey the lock's rules. Given
 * sections recorded strictly inside the hold (after the grant returned, before the release began),
 * as {@link IntervalRecorder} does:
 *
 * <ul>
 *   <li>{@link #mutualExclusion(Collection)}: per key, no two sections overlap, whatever their
 *       modes (the rule of an exclusive lock);
 *   <li>{@link #readWrite(Collection)}: per key, an {@link LockMode#EXCLUSIVE} (writer) section
 *       overlaps no other section, while {@link LockMode#SHARED} (reader) sections may overlap each
 *       other (the rule of a read-write lock).
 * </ul>
 *
 * <p>What it does not check: fairness and FIFO order, liveness (a lock that never grants anything
 * produces an empty, consistent history), and sections that were never closed. Pair it with counts
 * of completed operations and with the lock's own state after the run, as {@link LockStressHarness}
 * does.
 *
 * <p>Implementation notes: sections are grouped by key and swept in order of entry, keeping the
 * open section with the latest exit among all earlier ones and among earlier writers; a section
 * conflicts with an earlier one exactly when that latest exit is after its entry. O(n log n).
 *
 * <p>Thread-safe: stateless.
 */
public final class ExclusionChecker {

  private ExclusionChecker() {}

  /** Checks the rule of an exclusive lock: per key, no two sections overlap at all. */
  public static ExclusionVerdict mutualExclusion(Collection<Interval> history) {
    return check(history, true);
  }

  /**
   * Checks the rule of a read-write lock: per key, at most one writer at a time and no reader while
   * a writer is inside.
   */
  public static ExclusionVerdict readWrite(Collection<Interval> history) {
    return check(history, false);
  }

  private static ExclusionVerdict check(Collection<Interval> history, boolean allExclusive) {
    Objects.requireNonNull(history, "history must not be null");
    Map<Object, List<Interval>> byKey = new HashMap<>();
    for (Interval i : history) {
      byKey.computeIfAbsent(i.key(), k -> new ArrayList<>()).add(i);
    }
    ExclusionVerdict.Violation first = null;
    for (List<Interval> sections : byKey.values()) {
      ExclusionVerdict.Violation v = sweep(sections, allExclusive);
      if (v != null && (first == null || v.later().enter() < first.later().enter())) {
        first = v;
      }
    }
    return first != null ? first : new ExclusionVerdict.Consistent(history.size(), byKey.size());
  }

  /** The earliest-entered conflicting pair of one key's sections, or null. */
  private static ExclusionVerdict.Violation sweep(List<Interval> sections, boolean allExclusive) {
    sections.sort(Comparator.comparingLong(Interval::enter));
    Interval latestAny = null;
    Interval latestWriter = null;
    for (Interval x : sections) {
      boolean writer = allExclusive || x.mode() == LockMode.EXCLUSIVE;
      Interval blocker = writer ? latestAny : latestWriter;
      if (blocker != null && blocker.exit() > x.enter()) {
        return new ExclusionVerdict.Violation(blocker, x);
      }
      if (latestAny == null || x.exit() > latestAny.exit()) {
        latestAny = x;
      }
      if (writer && (latestWriter == null || x.exit() > latestWriter.exit())) {
        latestWriter = x;
      }
    }
    return null;
  }
}
