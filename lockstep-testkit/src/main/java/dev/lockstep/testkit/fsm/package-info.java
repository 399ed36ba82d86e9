/**
 * Tools for testing persistent state machines and their stores, on any {@link
 * dev.lockstep.fsm.FsmStore}.
 *
 * <ul>
 *   <li>{@link dev.lockstep.testkit.fsm.FsmRaceHarness}: N concurrent fires on platform or virtual
 *       threads, with a {@link dev.lockstep.testkit.fsm.RaceReport} that checks exactly one winner
 *       and that every attempt was logged; {@link dev.lockstep.testkit.fsm.FsmProcessRace} races
 *       separate child JVMs on one SQLite file.
 *   <li>{@link dev.lockstep.testkit.fsm.FsmInvariantChecker} (over {@link
 *       dev.lockstep.fsm.FsmInvariants}): version = number of transitions, replay gives the current
 *       state, no outbox row without its transition.
 *   <li>{@link dev.lockstep.testkit.fsm.FaultyFsmStore}: commits that fail before, or after,
 *       reaching the store.
 *   <li>{@link dev.lockstep.testkit.fsm.FsmStoreContract}: the JUnit 5 contract every store must
 *       pass; {@link dev.lockstep.testkit.fsm.FsmLeaks}: no thread left after close.
 * </ul>
 */
package dev.lockstep.testkit.fsm;
