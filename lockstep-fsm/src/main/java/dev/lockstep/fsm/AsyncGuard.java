package dev.lockstep.fsm;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** A guard backed by an asynchronous Java function. */
final class AsyncGuard implements Guard {
  private final String name;
  private final Function<GuardContext, CompletionStage<Boolean>> function;

  AsyncGuard(String name, Function<GuardContext, CompletionStage<Boolean>> function) {
    this.name = Objects.requireNonNull(name, "name");
    this.function = Objects.requireNonNull(function, "function");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletionStage<Boolean> test(GuardContext context) {
    try {
      CompletionStage<Boolean> stage = function.apply(context);
      return stage != null
          ? stage
          : CompletableFuture.failedStage(
              new IllegalStateException("guard " + name + " returned no stage"));
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedStage(e);
    }
  }

  @Override
  public String toString() {
    return "Guard[" + name + ", async]";
  }
}
