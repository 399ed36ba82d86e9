package dev.lockstep.fsm;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A named condition a transition must pass. Three kinds exist: a Java {@link Predicate} ({@link
 * #of}), an asynchronous Java function ({@link #async}), and a CEL expression over {@code data} and
 * {@code payload} ({@link #expression}), the only kind a definition file can declare.
 *
 * <h2>Guarantees</h2>
 *
 * <p>{@link #test} never throws: a guard that throws, or an expression that fails to evaluate (for
 * example a missing key), yields a stage completed exceptionally. Expression guards are compiled
 * and type-checked when created, so a guard that exists has valid syntax and a boolean result type;
 * they cannot run arbitrary code, loop, or touch anything but the two maps.
 *
 * <h2>Threading</h2>
 *
 * <p>Guards are immutable and may be tested from many threads at once; Java guards must be
 * thread-safe themselves. {@link #test} of {@link #of} and {@link #expression} runs on the calling
 * thread; {@link #async} runs wherever the function does. Timeouts are the engine's business, not
 * the guard's: the engine tests Java guards ({@link #of}, {@link #async}) on a virtual thread of
 * their own, interrupted when the timeout passes (see {@link FsmEngine.Builder#guardTimeout}).
 */
public sealed interface Guard permits PredicateGuard, AsyncGuard, CelGuard {

  /** Returns the guard's name, unique in its machine. */
  String name();

  /**
   * Evaluates the guard.
   *
   * @return a stage completed with {@code true} when the transition may happen, {@code false} when
   *     it may not, or exceptionally when the guard failed
   */
  CompletionStage<Boolean> test(GuardContext context);

  /** Returns a guard that runs {@code predicate} on the calling thread. */
  static Guard of(String name, Predicate<GuardContext> predicate) {
    return new PredicateGuard(name, predicate);
  }

  /** Returns a guard whose answer {@code function} gives asynchronously. */
  static Guard async(String name, Function<GuardContext, CompletionStage<Boolean>> function) {
    return new AsyncGuard(name, function);
  }

  /**
   * Compiles a CEL expression guard, such as {@code data.retries < 3 && payload.size > 0}. The
   * variables {@code data} and {@code payload} are maps from string to any value; the expression
   * must be boolean.
   *
   * @throws DefinitionException when the expression has a syntax or type error
   */
  static Guard expression(String name, String expression) {
    return CelGuard.compile(name, expression, -1);
  }
}
