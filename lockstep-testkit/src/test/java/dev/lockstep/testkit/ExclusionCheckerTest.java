package dev.lockstep.testkit;

import static dev.lockstep.lock.LockMode.EXCLUSIVE;
import static dev.lockstep.lock.LockMode.SHARED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.lock.LockMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExclusionCheckerTest {

  private static Interval iv(String key, LockMode mode, long enter, long exit) {
    return new Interval(key, mode, enter, exit, "t" + enter);
  }

  @Test
  void emptyHistoryIsConsistent() {
    assertEquals(
        new ExclusionVerdict.Consistent(0, 0), ExclusionChecker.mutualExclusion(List.of()));
  }

  @Test
  void backToBackSectionsOfOneKeyAreConsistent() {
    List<Interval> h = List.of(iv("a", EXCLUSIVE, 1, 2), iv("a", EXCLUSIVE, 3, 4));
    assertEquals(new ExclusionVerdict.Consistent(2, 1), ExclusionChecker.mutualExclusion(h));
  }

  @Test
  void detectsOverlapInADeliberatelyBrokenHistoryAndNamesThePair() {
    Interval first = iv("alice", EXCLUSIVE, 1, 5);
    Interval second = iv("alice", EXCLUSIVE, 3, 7); // entered while first was inside
    List<Interval> h = List.of(iv("bob", EXCLUSIVE, 2, 9), second, first);
    ExclusionVerdict v = ExclusionChecker.mutualExclusion(h);
    ExclusionVerdict.Violation violation = assertInstanceOf(ExclusionVerdict.Violation.class, v);
    assertFalse(v.consistent());
    assertSame(first, violation.earlier());
    assertSame(second, violation.later());
    AssertionError e = assertThrows(AssertionError.class, v::orThrow);
    assertTrue(e.getMessage().contains("'alice'"), e.getMessage());
    assertTrue(e.getMessage().contains("[1, 5]") && e.getMessage().contains("[3, 7]"));
  }

  @Test
  void detectsASectionNestedInsideAnother() {
    // The later section is entirely inside a long earlier one, after a short one ended.
    List<Interval> h =
        List.of(iv("k", EXCLUSIVE, 1, 10), iv("k", EXCLUSIVE, 11, 12), iv("k", EXCLUSIVE, 5, 6));
    ExclusionVerdict.Violation v =
        assertInstanceOf(ExclusionVerdict.Violation.class, ExclusionChecker.mutualExclusion(h));
    assertEquals(1, v.earlier().enter());
    assertEquals(5, v.later().enter());
  }

  @Test
  void differentKeysMayOverlap() {
    List<Interval> h = List.of(iv("a", EXCLUSIVE, 1, 4), iv("b", EXCLUSIVE, 2, 3));
    assertTrue(ExclusionChecker.mutualExclusion(h).consistent());
  }

  @Test
  void readersMayOverlapEachOtherButNotAWriter() {
    List<Interval> readers = List.of(iv("k", SHARED, 1, 5), iv("k", SHARED, 2, 6));
    assertTrue(ExclusionChecker.readWrite(readers).consistent());
    // Under the exclusive rule the same history is a violation.
    assertFalse(ExclusionChecker.mutualExclusion(readers).consistent());

    List<Interval> readerDuringWriter =
        List.of(iv("k", EXCLUSIVE, 1, 5), iv("k", SHARED, 3, 4), iv("k", SHARED, 6, 7));
    ExclusionVerdict.Violation v =
        assertInstanceOf(
            ExclusionVerdict.Violation.class, ExclusionChecker.readWrite(readerDuringWriter));
    assertEquals(EXCLUSIVE, v.earlier().mode());
    assertEquals(SHARED, v.later().mode());

    List<Interval> writerDuringReaders =
        List.of(iv("k", SHARED, 1, 10), iv("k", SHARED, 2, 3), iv("k", EXCLUSIVE, 4, 5));
    v =
        assertInstanceOf(
            ExclusionVerdict.Violation.class, ExclusionChecker.readWrite(writerDuringReaders));
    assertEquals(1, v.earlier().enter(), "the long reader is the one still inside");

    List<Interval> twoWriters = List.of(iv("k", EXCLUSIVE, 1, 3), iv("k", EXCLUSIVE, 2, 4));
    assertFalse(ExclusionChecker.readWrite(twoWriters).consistent());
  }

  @Test
  void aWriterBetweenReaderGroupsIsConsistent() {
    List<Interval> h =
        List.of(
            iv("k", SHARED, 1, 4),
            iv("k", SHARED, 2, 3),
            iv("k", EXCLUSIVE, 5, 6),
            iv("k", SHARED, 7, 9),
            iv("k", SHARED, 8, 10));
    assertEquals(new ExclusionVerdict.Consistent(5, 1), ExclusionChecker.readWrite(h));
  }

  @Test
  void reportsTheEarliestViolationAcrossKeys() {
    List<Interval> h =
        List.of(
            iv("late", EXCLUSIVE, 10, 20),
            iv("late", EXCLUSIVE, 15, 25),
            iv("early", EXCLUSIVE, 1, 8),
            iv("early", EXCLUSIVE, 2, 3));
    ExclusionVerdict.Violation v =
        assertInstanceOf(ExclusionVerdict.Violation.class, ExclusionChecker.mutualExclusion(h));
    assertEquals("early", v.later().key());
  }

  /** The sweep agrees with a brute-force pairwise check on random histories. */
  @Test
  void agreesWithBruteForceOnRandomHistories() {
    Random random = new Random(7);
    for (int round = 0; round < 2_000; round++) {
      List<Long> points = new ArrayList<>();
      int n = 1 + random.nextInt(6);
      for (long p = 1; p <= 2L * n; p++) {
        points.add(p);
      }
      Collections.shuffle(points, random);
      List<Interval> h = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long a = points.get(2 * i);
        long b = points.get(2 * i + 1);
        h.add(
            iv(
                random.nextBoolean() ? "x" : "y",
                random.nextBoolean() ? SHARED : EXCLUSIVE,
                Math.min(a, b),
                Math.max(a, b)));
      }
      assertEquals(bruteForce(h, false), ExclusionChecker.readWrite(h).consistent(), h::toString);
      assertEquals(
          bruteForce(h, true), ExclusionChecker.mutualExclusion(h).consistent(), h::toString);
    }
  }

  private static boolean bruteForce(List<Interval> h, boolean allExclusive) {
    for (int i = 0; i < h.size(); i++) {
      for (int j = i + 1; j < h.size(); j++) {
        Interval a = h.get(i);
        Interval b = h.get(j);
        boolean bothShared = !allExclusive && a.mode() == SHARED && b.mode() == SHARED;
        if (a.key().equals(b.key()) && a.overlaps(b) && !bothShared) {
          return false;
        }
      }
    }
    return true;
  }

  @Test
  void intervalsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> iv("k", EXCLUSIVE, 5, 5));
    assertThrows(NullPointerException.class, () -> new Interval(null, EXCLUSIVE, 1, 2, "t"));
    assertThrows(NullPointerException.class, () -> ExclusionChecker.readWrite(null));
  }
}
