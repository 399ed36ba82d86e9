package dev.lockstep.fsm;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/** A guard backed by a Java predicate, run on the calling thread. */
final class PredicateGuard implements Guard {
  private final String name;
  private final Predicate<GuardContext> predicate;

  PredicateGuard(String name, Predicate<GuardContext> predicate) {
    this.name = Objects.requireNonNull(name, "name");
    this.predicate = Objects.requireNonNull(predicate, "predicate");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletionStage<Boolean> test(GuardContext context) {
    try {
      return CompletableFuture.completedStage(predicate.test(context));
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedStage(e);
    }
  }

  @Override
  public String toString() {
    return "Guard[" + name + "]";
  }
}
