/**
 * Tools for testing locks under concurrency: what Lockstep's own modules test with, and what users
 * can test their own lock-guarded code with.
 *
 * <ul>
 *   <li>{@link dev.lockstep.testkit.IntervalRecorder} records when each thread was inside a
 *       critical section of which key, on one global sequence, so that overlaps are exact facts
 *       rather than timing guesses.
 *   <li>{@link dev.lockstep.testkit.ExclusionChecker} decides whether a recorded history is one a
 *       correct exclusive or read-write lock could have produced, and names the offending pair when
 *       it is not ({@link dev.lockstep.testkit.ExclusionVerdict}).
 *   <li>{@link dev.lockstep.testkit.LockStressHarness} drives a lock with many platform or virtual
 *       threads and a random mix of blocking, try, timed, asynchronous, cancelled and interrupted
 *       acquisitions, and returns a {@link dev.lockstep.testkit.StressReport}.
 * </ul>
 *
 * <p>Nothing here depends on a test framework: failures are {@link java.lang.AssertionError}s,
 * which every framework reports.
 */
package dev.lockstep.testkit;
