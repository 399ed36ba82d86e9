package dev.lockstep.bench;

import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.MachineDefinition;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Lockstep's side of suite {@code fsm}: the same per-user agent guard as {@link SpringMachines} and
 * {@link SeedStyleTransitions} — IDLE → THINKING → RESPONDING → IDLE, with {@code error} back to
 * IDLE — and a helper that fires the next event of an entity's cycle.
 */
final class LockstepMachines {
  private LockstepMachines() {}

  static final String MACHINE = "agent-turn";

  static final MachineDefinition AGENT_TURN =
      MachineDefinition.builder(MACHINE)
          .states("IDLE", "THINKING", "RESPONDING")
          .initial("IDLE")
          .transition(t -> t.from("IDLE").on("think").to("THINKING"))
          .transition(t -> t.from("THINKING").on("respond").to("RESPONDING"))
          .transition(t -> t.from("RESPONDING").on("done").to("IDLE"))
          .transition(t -> t.from("THINKING", "RESPONDING").on("error").to("IDLE"))
          .build();

  /**
   * An entity driven round its cycle by one thread: fires think, respond, done, think, ... (with
   * {@link #next} one at a time; with {@link #fireAsync} and {@link #completed}, at most one fire
   * in flight).
   */
  static final class Cycler {
    private final FsmEngine engine;
    private final String entity;
    private int step;

    Cycler(FsmEngine engine, String entity) {
      this.engine = engine;
      this.entity = entity;
      engine.create(MACHINE, entity);
    }

    /**
     * Fires the next event of the cycle.
     *
     * @throws IllegalStateException unless it transitioned: nothing else fires at this entity
     */
    FireResult next() {
      String event = SpringMachines.CYCLE_EVENTS[step];
      FireResult r = engine.fire(MACHINE, entity, event, Map.of());
      if (!(r instanceof FireResult.Transitioned)) {
        throw new IllegalStateException(entity + ": " + event + " did not transition: " + r);
      }
      step = step == 2 ? 0 : step + 1;
      return r;
    }

    /** Fires the next event of the cycle asynchronously; pass its result to {@link #completed}. */
    CompletableFuture<FireResult> fireAsync() {
      return engine.fireAsync(MACHINE, entity, SpringMachines.CYCLE_EVENTS[step], Map.of());
    }

    /**
     * Checks the result of the fire {@link #fireAsync} started and moves the cycle on.
     *
     * @throws IllegalStateException unless it transitioned
     */
    FireResult completed(FireResult r) {
      if (!(r instanceof FireResult.Transitioned)) {
        throw new IllegalStateException(
            entity + ": " + SpringMachines.CYCLE_EVENTS[step] + " did not transition: " + r);
      }
      step = step == 2 ? 0 : step + 1;
      return r;
    }
  }
}
