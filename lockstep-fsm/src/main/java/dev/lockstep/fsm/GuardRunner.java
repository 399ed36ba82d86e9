package dev.lockstep.fsm;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tests a guard with a timeout on the calling thread. A guard that answers in time gives {@code
 * PASSED} or {@code REJECTED}; one that throws, completes exceptionally or answers null gives
 * {@code ERROR} with the cause; one slower than the timeout gives {@code TIMED_OUT} and its future
 * is cancelled (its late answer is ignored).
 */
final class GuardRunner {

  /** What the guard said, and the error when it did not answer true or false. */
  record Verdict(GuardResult result, Throwable error) {}

  private final long timeoutNanos;

  GuardRunner(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  Verdict test(Guard guard, GuardContext context) {
    CompletableFuture<Boolean> f = guard.test(context).toCompletableFuture();
    try {
      Boolean ok = f.isDone() ? f.join() : f.get(timeoutNanos, TimeUnit.NANOSECONDS);
      if (ok == null) {
        return new Verdict(
            GuardResult.ERROR,
            new IllegalStateException("guard '" + guard.name() + "' answered null"));
      }
      return new Verdict(ok ? GuardResult.PASSED : GuardResult.REJECTED, null);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new Verdict(
          GuardResult.TIMED_OUT,
          new TimeoutException(
              "guard '"
                  + guard.name()
                  + "' gave no answer within "
                  + Duration.ofNanos(timeoutNanos)));
    } catch (ExecutionException | CompletionException e) {
      return new Verdict(GuardResult.ERROR, e.getCause() != null ? e.getCause() : e);
    } catch (CancellationException e) {
      return new Verdict(GuardResult.ERROR, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Verdict(GuardResult.ERROR, e);
    }
  }
}
